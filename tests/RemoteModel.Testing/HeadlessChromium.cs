using System.Diagnostics;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Xunit;

namespace RemoteModel.Testing;

/// <summary>
/// Debian's chromium, headless, driven by its chromium-driver through Selenium: what a person at
/// the page would see and do (the web view's tests and benchmark). Disposing saves a screenshot
/// of the page as it ended, when it was given where to, whether the test passed or not.
/// </summary>
public sealed class HeadlessChromium : IDisposable
{
    /// <summary>How long a page may take to show what a test waits for (a busy machine builds and JITs a lot).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string? _screenshot;

    private HeadlessChromium(ChromeDriver driver, string? screenshot)
    {
        Driver = driver;
        _screenshot = screenshot;
    }

    public ChromeDriver Driver { get; }

    /// <summary>Starts the browser; <paramref name="screenshot"/> is the PNG file its last page is saved to.</summary>
    /// <param name="screenshot">Where the screenshot goes; null: none.</param>
    /// <param name="extraArguments">More command-line switches (the benchmark keeps background tabs running).</param>
    public static HeadlessChromium Start(string? screenshot, params string[] extraArguments)
    {
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(OutsidePeers.ChromeDriverPath)!, Path.GetFileName(OutsidePeers.ChromeDriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = OutsidePeers.ChromiumPath };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-dev-shm-usage", "--window-size=1280,1800",
            // The tests' TLS certificates are self-signed.
            "--ignore-certificate-errors");
        options.AddArguments(extraArguments);
        return new HeadlessChromium(new ChromeDriver(service, options, TimeSpan.FromSeconds(60)), screenshot);
    }

    public void Open(string url) => Driver.Navigate().GoToUrl(url);

    /// <summary>Waits until <paramref name="find"/> answers something, and returns it; fails with <paramref name="what"/> after <see cref="Timeout"/>.</summary>
    public T WaitFor<T>(Func<IWebDriver, T?> find, string what, TimeSpan? timeout = null)
        where T : class
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < (timeout ?? Timeout))
        {
            try
            {
                if (find(Driver) is { } found)
                {
                    return found;
                }
            }
            catch (Exception ex) when (ex is NoSuchElementException or StaleElementReferenceException or InvalidOperationException)
            {
                last = ex;
            }

            Thread.Sleep(50);
        }

        throw new TimeoutException($"Waited {(timeout ?? Timeout).TotalSeconds:0} s for {what}; page text:\n{Text()}", last);
    }

    /// <summary>Waits until the element <paramref name="id"/>'s text satisfies <paramref name="condition"/>, and returns the text.</summary>
    public string WaitForText(string id, Func<string, bool> condition, string what, TimeSpan? timeout = null) =>
        WaitFor(d => d.FindElements(By.Id(id)) is [var element, ..] && condition(element.Text) ? element.Text : null, what, timeout);

    /// <summary>Types <paramref name="text"/> into the input <paramref name="id"/>, replacing what it held.</summary>
    public void Type(string id, string text)
    {
        var input = WaitFor(d => d.FindElements(By.Id(id)).FirstOrDefault(e => e.Enabled), $"the input {id}");
        input.Click();
        input.SendKeys(Keys.Control + "a");
        input.SendKeys(Keys.Delete);
        input.SendKeys(text);
    }

    public void Click(string id) => WaitFor(d => d.FindElements(By.Id(id)).FirstOrDefault(e => e.Enabled), $"the enabled element {id}").Click();

    public string Text()
    {
        try
        {
            return Driver.FindElement(By.TagName("body")).Text;
        }
        catch (WebDriverException ex)
        {
            return $"(no page: {ex.Message})";
        }
    }

    public void Dispose()
    {
        try
        {
            if (_screenshot is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(_screenshot)!);
                Driver.GetScreenshot().SaveAsFile(_screenshot);
            }
        }
        catch (WebDriverException)
        {
            // No window left to take (a test closed it); the test's own outcome stands.
        }

        Driver.Quit();
        Driver.Dispose();
    }
}
