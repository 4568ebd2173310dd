using RemoteModel.Grpc.Client;
using RemoteModel.Naming.Client;
using RemoteModel.Testing;

namespace RemoteModel.Web.Tests.Browser;

/// <summary>
/// What a browser test runs against, all real child processes: a name server, a model server
/// serving the ticker, and the web executable (as user alice, on a free loopback port); plus
/// headless Chromium. Disposing stops them all and saves the browser's screenshot.
/// </summary>
internal sealed class WebBed : IAsyncDisposable
{
    private WebBed(ProcessTestBed processes, HeadlessChromium browser)
    {
        Processes = processes;
        Browser = browser;
    }

    /// <summary>Where each test's screenshot goes: the test project's TestResults folder.</summary>
    public static string Screenshots => RepositoryPaths.Combine("tests", "RemoteModel.Web.Tests", "TestResults", "screenshots");

    public ProcessTestBed Processes { get; }

    public HeadlessChromium Browser { get; }

    public ChildProcess Ticker { get; private set; } = null!;

    public ChildProcess Web { get; private set; } = null!;

    /// <summary>The web view's address, <c>http://127.0.0.1:PORT</c>.</summary>
    public string Address { get; private set; } = null!;

    public static async Task<WebBed> StartAsync(string test, params string[] webArguments)
    {
        var processes = await ProcessTestBed.StartAsync();
        try
        {
            var bed = new WebBed(processes, HeadlessChromium.Start(Path.Combine(Screenshots, test + ".png")));
            bed.Ticker = (await processes.StartTickersAsync("ticker")).Process;
            string[] listen = webArguments.Contains("--listen") ? [] : ["--listen", "http://127.0.0.1:0"];
            bed.Web = processes.Track(StartWeb(processes.NameServer, [.. listen, "--Web:User=alice", .. webArguments]));
            bed.Address = (await bed.Web.WaitForLineAsync("LISTENING", ProcessTestBed.StartTimeout)).Split(' ')[0].TrimEnd('/');
            return bed;
        }
        catch
        {
            await processes.DisposeAsync();
            throw;
        }
    }

    /// <summary>The web executable against <paramref name="nameServer"/>.</summary>
    public static ChildProcess StartWeb(string nameServer, IEnumerable<string> arguments) =>
        Executables.Start(Executables.Web, ["--ns", nameServer, .. arguments]);

    /// <summary>Opens the ticker's page and waits until it says it is connected; the browser, on that page.</summary>
    public HeadlessChromium OpenTickerPage()
    {
        Browser.Open($"{Address}/models/ticker");
        Browser.WaitForText("connection", text => text.StartsWith("connected", StringComparison.Ordinal), "connected");
        return Browser;
    }

    /// <summary>A channel to the model server the name server names for the ticker now, as another controller would have.</summary>
    public async Task<SignedChannel> TickerChannelAsync() =>
        Processes.Channel(await ServiceAddress.Parse("ticker").ResolveAsync(Processes.NameServer));

    /// <summary>Serves the ticker again, after the test stopped the first model server.</summary>
    public async Task RestartTickerAsync()
    {
        await Ticker.DisposeAsync();
        Ticker = (await Processes.StartTickersAsync("ticker")).Process;
    }

    public async ValueTask DisposeAsync()
    {
        Browser.Dispose();
        await Processes.DisposeAsync();
    }
}
