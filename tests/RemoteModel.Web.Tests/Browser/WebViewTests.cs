using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Xunit.Abstractions;
using OpenQA.Selenium;
using RemoteModel.Models.Client;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.V1;
using RemoteModel.Security.Keys;
using RemoteModel.Testing;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Web.Tests.Browser;

/// <summary>
/// The web view as a person uses it, in real headless Chromium, against a real name server, a
/// ticker model server, the web executable and, where the test says, a console viewer, each its
/// own process. Each test saves a screenshot under TestResults/screenshots.
/// </summary>
[RequiresPeers(Peer.Chromium)]
public sealed class WebViewTests(ITestOutputHelper output)
{
    [PeerFact]
    public async Task The_registry_page_lists_the_ticker_live_filters_and_links_to_its_page()
    {
        await using var bed = await WebBed.StartAsync(nameof(The_registry_page_lists_the_ticker_live_filters_and_links_to_its_page));
        var browser = bed.Browser;
        browser.Open(bed.Address);

        var link = browser.WaitFor(d => d.FindElements(By.CssSelector("tr[data-name='ticker'] a")).FirstOrDefault(), "the ticker in the registry");
        Assert.Equal("model", browser.Driver.FindElement(By.CssSelector("tr[data-name='ticker'] td:nth-child(2)")).Text);
        // Live: a model that registers after the page opened shows up by itself.
        await bed.Processes.StartTickersAsync("ticker2");
        browser.WaitFor(d => d.FindElements(By.CssSelector("tr[data-name='ticker2']")).FirstOrDefault(), "ticker2, registered after the page opened");

        browser.Type("filter", "ticker2");
        browser.WaitFor(d => d.FindElements(By.CssSelector("tr[data-name='ticker']")).Count == 0 ? "gone" : null, "the filter hiding ticker");
        Assert.Single(browser.Driver.FindElements(By.CssSelector("tr[data-name='ticker2']")));
        browser.Type("filter", string.Empty);

        browser.WaitFor(d => d.FindElements(By.CssSelector("tr[data-name='ticker'] a")).FirstOrDefault(), "the ticker again").Click();
        browser.WaitForText("connection", text => text.StartsWith("connected", StringComparison.Ordinal), "the model page connected");
        Assert.EndsWith("/models/ticker", browser.Driver.Url, StringComparison.Ordinal);
    }

    [PeerFact]
    public async Task The_model_page_shows_the_price_changing_by_itself()
    {
        await using var bed = await WebBed.StartAsync(nameof(The_model_page_shows_the_price_changing_by_itself));
        var browser = bed.OpenTickerPage();
        var first = long.Parse(browser.WaitForText("version", text => text.Length > 0, "a version"), CultureInfo.InvariantCulture);
        browser.WaitForText("version", text => long.Parse(text, CultureInfo.InvariantCulture) >= first + 2, "two more versions", TimeSpan.FromSeconds(20));
        var priceRow = browser.Driver.FindElement(By.CssSelector("tr[data-property='Price']"));
        Assert.Contains("model (model)", priceRow.Text, StringComparison.Ordinal);
        Assert.Contains("USD", priceRow.Text, StringComparison.Ordinal);
        Assert.Contains("web-alice-", browser.Driver.FindElement(By.Id("viewer-name")).Text, StringComparison.Ordinal);
        // The plot draws the numeric properties, one strip each.
        browser.WaitFor(d => d.FindElements(By.CssSelector("#plot g.strip[data-property='Price'] polyline")).FirstOrDefault(), "Price in the plot");
    }

    [PeerFact]
    public async Task A_page_keeps_up_with_a_model_changing_as_fast_as_it_can_showing_the_latest_without_queueing()
    {
        await using var bed = await WebBed.StartAsync(nameof(A_page_keeps_up_with_a_model_changing_as_fast_as_it_can_showing_the_latest_without_queueing));
        var browser = bed.OpenTickerPage();
        var viewer = browser.WaitForText("viewer-name", text => text.Length > 0, "the page's viewer name");
        using var channel = await bed.TickerChannelAsync();
        var model = new ModelClient(channel);
        await model.ModifyAsync("ticker", new Dictionary<string, object?> { ["Rate"] = 100.0 });
        var before = (await model.ListViewersAsync("ticker")).Single(v => v.Name == viewer).NotificationsSent;

        // Back to back, as fast as a signed Modify goes (the ticker ticks 100 times a second besides).
        var clock = Stopwatch.StartNew();
        var changes = 0;
        var last = string.Empty;
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            last = $"S{changes++}";
            await model.ModifyAsync("ticker", new Dictionary<string, object?> { ["Symbol"] = last });
        }

        var elapsed = clock.Elapsed;
        browser.WaitForText("value-Symbol", text => text == $"\"{last}\"", "the last symbol shown", TimeSpan.FromSeconds(5));
        var info = (await model.ListViewersAsync("ticker")).Single(v => v.Name == viewer);
        var delivered = info.NotificationsSent - before;
        output.WriteLine($"{changes / elapsed.TotalSeconds:F0} changes/s set (and 100 ticks/s); {delivered / elapsed.TotalSeconds:F1} notifications/s delivered to the page");
        // LATEST at the display rate (10 a second): the page is told the latest, never each change, and never falls behind.
        Assert.True(delivered <= (elapsed.TotalSeconds * 10 * 1.5) + 5, $"{delivered} notifications in {elapsed.TotalSeconds:F1} s");
        Assert.True(changes > 10 * delivered, $"{changes} changes against {delivered} notifications: not conflated");
        Assert.Equal(0, info.Resyncs);
    }

    [PeerFact]
    public async Task Setting_the_rate_through_the_form_reaches_a_console_viewer_with_the_web_caller()
    {
        await using var bed = await WebBed.StartAsync(nameof(Setting_the_rate_through_the_form_reaches_a_console_viewer_with_the_web_caller));
        var viewer = bed.Processes.Track(Executables.Start(Executables.Viewer, ["ticker", "--ns", bed.Processes.NameServer, "--lines"]));
        await viewer.WaitForLineAsync("connected to ticker", ProcessTestBed.StartTimeout);
        var browser = bed.OpenTickerPage();

        browser.Type("edit-Rate", "5");
        browser.Click("apply");

        browser.WaitForText("apply-outcome", text => text.StartsWith("applied", StringComparison.Ordinal), "the change applied");
        var line = await viewer.WaitForLineAsync(string.Empty, ProcessTestBed.StartTimeout, l => l.Contains("Rate=5", StringComparison.Ordinal));
        Assert.Contains("by alice via web [key ", line, StringComparison.Ordinal);
        browser.WaitForText("value-Rate", text => text == "5", "the page showing Rate 5");
        browser.WaitFor(d => d.FindElements(By.CssSelector("#history td.caller")).FirstOrDefault(c => c.Text.StartsWith("alice via web [key ", StringComparison.Ordinal)),
            "the change in the history, with its caller");
    }

    [PeerFact]
    public async Task Pause_through_its_button_stops_the_ticker()
    {
        await using var bed = await WebBed.StartAsync(nameof(Pause_through_its_button_stops_the_ticker));
        var browser = bed.OpenTickerPage();

        browser.Click("invoke-Pause");

        browser.WaitForText("op-Pause-outcome", text => text.StartsWith("done at v", StringComparison.Ordinal), "Pause done");
        browser.WaitForText("value-Paused", text => text == "true", "Paused shown as true");
        var ticks = browser.Driver.FindElement(By.Id("value-Ticks")).Text;
        using var channel = await bed.TickerChannelAsync();
        Assert.True((await new ModelClient(channel).QueryAsync("ticker", ["Paused"])).Values["Paused"].BoolValue);
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // Two ticks at the ticker's 1 Hz, had it not paused.
        Assert.Equal(ticks, browser.Driver.FindElement(By.Id("value-Ticks")).Text);
    }

    [PeerFact]
    public async Task An_out_of_range_value_is_refused_beside_its_field_and_changes_nothing()
    {
        await using var bed = await WebBed.StartAsync(nameof(An_out_of_range_value_is_refused_beside_its_field_and_changes_nothing));
        var browser = bed.OpenTickerPage();

        browser.Type("edit-Rate", "500");
        browser.Click("apply");

        var error = browser.WaitForText("error-Rate", text => text.Length > 0, "the refusal beside Rate");
        Assert.Contains("OUT_OF_RANGE", error, StringComparison.Ordinal);
        Assert.Contains("Rate", error, StringComparison.Ordinal);
        Assert.Equal("1", browser.Driver.FindElement(By.Id("value-Rate")).Text);
        using var channel = await bed.TickerChannelAsync();
        Assert.Equal(1.0, (await new ModelClient(channel).QueryAsync("ticker", ["Rate"])).Values["Rate"].DoubleValue);
    }

    [PeerFact]
    public async Task A_stale_form_is_refused_with_aborted()
    {
        await using var bed = await WebBed.StartAsync(nameof(A_stale_form_is_refused_with_aborted));
        var browser = bed.OpenTickerPage();

        browser.Type("edit-Rate", "7");
        // Someone else sets the rate while this form is being filled in.
        using var channel = await bed.TickerChannelAsync();
        await new ModelClient(channel).ModifyAsync("ticker", new Dictionary<string, object?> { ["Rate"] = 3.0 });
        browser.WaitForText("value-Rate", text => text == "3", "the other change shown");
        browser.Click("apply");

        var error = browser.WaitForText("error-Rate", text => text.Length > 0, "the refusal beside Rate");
        Assert.Contains("ABORTED", error, StringComparison.Ordinal);
        Assert.Equal(3.0, (await new ModelClient(channel).QueryAsync("ticker", ["Rate"])).Values["Rate"].DoubleValue);
    }

    [PeerFact]
    public async Task Each_open_page_is_a_viewer_in_the_registry_gone_within_a_second_of_closing_its_tab()
    {
        await using var bed = await WebBed.StartAsync(nameof(Each_open_page_is_a_viewer_in_the_registry_gone_within_a_second_of_closing_its_tab));
        var browser = bed.Browser;
        browser.Open(bed.Address);
        var registry = browser.Driver.CurrentWindowHandle;
        browser.Driver.SwitchTo().NewWindow(WindowType.Tab);
        browser.Open($"{bed.Address}/models/ticker");
        var name = "ticker/viewers/" + browser.WaitForText("viewer-name", text => text.StartsWith("web-alice-", StringComparison.Ordinal), "the page's viewer name");
        var registration = await bed.Processes.Naming.LookupAsync(name, wait: TimeSpan.FromSeconds(30));
        Assert.Equal("viewer", registration.Kind);
        browser.Driver.SwitchTo().Window(registry);
        browser.WaitFor(d => d.FindElements(By.CssSelector($"tr[data-name='{name}']")).FirstOrDefault(), "the page's viewer on the registry page");
        browser.Driver.SwitchTo().NewWindow(WindowType.Tab);
        browser.Open($"{bed.Address}/models/ticker");
        var second = "ticker/viewers/" + browser.WaitForText("viewer-name", text => text.StartsWith("web-alice-", StringComparison.Ordinal) && !name.EndsWith(text, StringComparison.Ordinal), "a second page");
        await bed.Processes.Naming.LookupAsync(second, wait: TimeSpan.FromSeconds(30));
        using var watching = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var watch = bed.Processes.Naming.Watch(new Selector { Prefix = "ticker/viewers/" }, new CallOptions(cancellationToken: watching.Token));
        while (await watch.ResponseStream.MoveNext(watching.Token) && watch.ResponseStream.Current.Type != WatchEvent.Types.Type.SnapshotEnd)
        {
        }

        // The clock starts once the tab is closed: chromedriver's own round trip for the close is not the web view's.
        browser.Driver.Close();
        var closed = Stopwatch.StartNew();
        while (await watch.ResponseStream.MoveNext(watching.Token)
            && !(watch.ResponseStream.Current.Type == WatchEvent.Types.Type.Unregistered && watch.ResponseStream.Current.Registration.Name == second))
        {
        }

        var left = closed.Elapsed;
        Assert.True(left < TimeSpan.FromSeconds(1), $"The viewer left {left.TotalMilliseconds:0} ms after its tab closed.");
        Assert.Contains(name, (await bed.Processes.Naming.ListAsync(new Selector { Prefix = "ticker/viewers/" })).Registrations.Select(r => r.Name));
        browser.Driver.SwitchTo().Window(registry);
    }

    [PeerFact]
    public async Task The_page_recovers_by_itself_after_the_model_server_restarts()
    {
        await using var bed = await WebBed.StartAsync(nameof(The_page_recovers_by_itself_after_the_model_server_restarts));
        var browser = bed.OpenTickerPage();

        await bed.Ticker.DisposeAsync();
        browser.WaitForText("connection", text => text.StartsWith("lost", StringComparison.Ordinal), "the page saying the model is lost");
        await bed.RestartTickerAsync();

        browser.WaitForText("connection", text => text.StartsWith("reconnected", StringComparison.Ordinal) && text.Contains("resynchronised", StringComparison.Ordinal),
            "the page reconnected and resynchronised", TimeSpan.FromSeconds(60));
        var version = long.Parse(browser.Driver.FindElement(By.Id("version")).Text, CultureInfo.InvariantCulture);
        browser.WaitForText("version", text => long.Parse(text, CultureInfo.InvariantCulture) > version, "changes again after the restart");
    }

    [PeerFact]
    public async Task Read_only_shows_everything_and_offers_no_change()
    {
        await using var bed = await WebBed.StartAsync(nameof(Read_only_shows_everything_and_offers_no_change), "--read-only");
        var browser = bed.OpenTickerPage();
        browser.WaitForText("value-Price", text => text.Length > 0, "the price");
        var pause = browser.WaitFor(d => d.FindElements(By.Id("invoke-Pause")).FirstOrDefault(), "the operations");

        Assert.False(pause.Enabled);
        Assert.Empty(browser.Driver.FindElements(By.Id("edit-Rate")));
        Assert.Empty(browser.Driver.FindElements(By.Id("apply")));
        Assert.NotEmpty(browser.Driver.FindElements(By.Id("read-only")));
    }

    [PeerFact]
    public async Task A_login_with_a_keyring_key_signs_the_calls_with_that_key()
    {
        var key = TestKeyring.Current.SigningKey()!;
        using var certificates = new TemporaryDirectory();
        var (certificate, privateKey) = TestCertificates.WriteSelfSigned(certificates.Path);
        await using var bed = await WebBed.StartAsync(nameof(A_login_with_a_keyring_key_signs_the_calls_with_that_key),
            "--require-login", "--listen", "https://127.0.0.1:0", $"--Tls:CertificatePath={certificate}", $"--Tls:KeyPath={privateKey}");
        var browser = bed.Browser;
        Assert.StartsWith("https://", bed.Address, StringComparison.Ordinal);
        browser.Open($"{bed.Address}/models/ticker");
        browser.WaitFor(d => d.Url.Contains("/login", StringComparison.Ordinal) ? d.Url : null, "the login page");

        browser.Type("keyId", key.Id);
        browser.Type("secret", "AAAA" + KeyringFile.EncodeSecret(key)[4..].ToUpperInvariant());
        browser.Click("login");
        browser.WaitFor(d => d.FindElements(By.Id("login-error")).FirstOrDefault(), "a wrong secret refused");
        Assert.DoesNotContain("secret=", browser.Driver.Url, StringComparison.Ordinal);

        browser.Type("keyId", key.Id);
        browser.Type("secret", KeyringFile.EncodeSecret(key));
        browser.Click("login");
        browser.WaitForText("connection", text => text.StartsWith("connected", StringComparison.Ordinal), "the model page after the login");
        Assert.Equal($"{key.Id} via web", browser.Driver.FindElement(By.Id("caller")).Text);
        var cookie = browser.Driver.Manage().Cookies.GetCookieNamed("remotemodel-web");
        Assert.NotNull(cookie);
        Assert.True(cookie.IsHttpOnly);
        Assert.True(cookie.Secure);
        Assert.Equal("Strict", cookie.SameSite);
        Assert.DoesNotContain(KeyringFile.EncodeSecret(key), browser.Driver.PageSource, StringComparison.Ordinal);
    }
}
