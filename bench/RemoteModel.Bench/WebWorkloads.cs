using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using OpenQA.Selenium;
using RemoteModel.Grpc.Client;
using RemoteModel.Models.Client;
using RemoteModel.Naming.Client;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using RemoteModel.Testing;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.Bench;

/// <summary>
/// What the web view costs to leave open: its resident memory per open model page (at 100 pages,
/// each a real tab of headless Chromium) and its processor time per change it delivers to a page,
/// while the ticker it shows changes about 1,100 times a second (100 ticks, and a driver setting
/// Symbol 1,000 times a second). Name server, model server, web view and browser are separate processes.
/// </summary>
internal static class WebWorkloads
{
    public const int Pages = 100;

    /// <summary>Changes a second the driver makes on top of the ticker's own 100 ticks.</summary>
    public const int DriverRate = 1000;

    /// <summary>What the table says, for RESULTS.md.</summary>
    public const string Description =
        "The web view (`remotemodel-web`, Release) showing the ticker's page in 100 tabs of headless Chromium (background tabs kept running), "
        + "while the ticker ticks 100 times a second and a driver sets its Symbol 1,000 times a second (signed Modify calls, paced). "
        + "Each page is a viewer subscribed with LATEST delivery at 10 notifications a second at most, so a page gets about 10 a second "
        + "whatever the model does. Per page: the web view's resident set size with 100 pages open less with 1, over 99, after the pages "
        + "settled for 5 s (each page's plot fills its bounded buffer over its 5-minute window, at most 600 points a line, so a page left open "
        + "for minutes holds up to about 10 KiB more a numeric property). Processor time: the web view's user + system time over the "
        + "window divided by the notifications the model server sent to its pages (ListViewers' counts), each of which the page "
        + "applies and redraws (a render diff sent over its circuit); the browser, driver and servers share the 2 cores. RSS after the "
        + "window shows nothing queued.";

    public static async Task<WebCost?> RunAsync(TimeSpan duration, List<string> notes)
    {
        if (OutsidePeers.Chromium is { } problem)
        {
            notes.Add($"Web view: not measured ({problem}).");
            return null;
        }

        await using var nameServer = await NameServerProcess.StartAsync();
        var environment = new Dictionary<string, string> { [KeyringFile.KeyringVariable] = nameServer.KeyringPath };
        await using var modelServer = Executables.Start(Executables.ModelServer,
            ["--model", "ticker=RemoteModel.Examples.Ticker.TickerModel", "--assembly", Executables.TickerAssembly, "--ns", nameServer.Address,
             // The ticker's Rate is memorized: the bench's Rate must not become the user's.
             $"--Models:StateStore={Path.Combine(Path.GetDirectoryName(nameServer.KeyringPath)!, "memorized.db")}"], environment);
        var modelAddress = (await modelServer.WaitForLineAsync("LISTENING", TimeSpan.FromSeconds(60))).Split(' ')[0];
        await using var web = Executables.Start(Executables.Web, ["--ns", nameServer.Address, "--listen", "http://127.0.0.1:0", "--Web:User=bench"], environment);
        var webAddress = (await web.WaitForLineAsync("LISTENING", TimeSpan.FromSeconds(60))).Split(' ')[0].TrimEnd('/');
        using var namingChannel = nameServer.CreateChannel();
        await new NamingClient(namingChannel).LookupAsync("ticker", wait: TimeSpan.FromSeconds(30));
        using var channel = SignedChannel.ForAddress(modelAddress, new HmacCallSigner(nameServer.Key));
        var model = new ModelClient(channel);
        await model.ModifyAsync("ticker", new Dictionary<string, object?> { ["Rate"] = 100.0 });

        // Background tabs kept running as a visible one, and renderers shared, so 100 tabs fit a small machine.
        using var browser = HeadlessChromium.Start(null, "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
            "--disable-backgrounding-occluded-windows", "--renderer-process-limit=8");
        Open(browser, webAddress);
        await Task.Delay(TimeSpan.FromSeconds(5)); // JIT and first allocations of the first page.
        var onePage = BenchProcess.ResidentBytes(web.Id);
        for (var page = 1; page < Pages; page++)
        {
            browser.Driver.SwitchTo().NewWindow(WindowType.Tab);
            Open(browser, webAddress);
            if ((page + 1) % 10 == 0)
            {
                Console.WriteLine($"{page + 1} pages open");
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(5));
        var allPages = BenchProcess.ResidentBytes(web.Id);
        Console.WriteLine($"web view RSS: 1 page {onePage / 1048576.0:F1} MiB, {Pages} pages {allPages / 1048576.0:F1} MiB");

        var sentBefore = await DeliveredAsync(model);
        var processorBefore = BenchProcess.ProcessorTime(web.Id);
        var clock = Stopwatch.StartNew();
        var changes = 0L;
        string last = string.Empty;
        while (clock.Elapsed < duration)
        {
            // Paced: as many changes as are due by now, then a breath.
            var due = (long)(clock.Elapsed.TotalSeconds * DriverRate);
            while (changes < due)
            {
                last = $"S{changes++.ToString(CultureInfo.InvariantCulture)}";
                await model.ModifyAsync("ticker", new Dictionary<string, object?> { ["Symbol"] = last });
            }

            await Task.Delay(1);
        }

        var window = clock.Elapsed;
        var processor = BenchProcess.ProcessorTime(web.Id) - processorBefore;
        var delivered = await DeliveredAsync(model) - sentBefore;
        var afterWindow = BenchProcess.ResidentBytes(web.Id);
        // The page in front shows the last value within a redraw or two.
        var shown = Stopwatch.StartNew();
        browser.WaitForText("value-Symbol", text => text == $"\"{last}\"", "the last symbol on the page in front", TimeSpan.FromSeconds(10));
        var cost = new WebCost(Pages, onePage, allPages, afterWindow, changes / window.TotalSeconds, delivered / window.TotalSeconds,
            processor.TotalMicroseconds / Math.Max(1, delivered), processor / window, shown.Elapsed);
        Console.WriteLine(cost.ToMarkdownRow());
        return cost;
    }

    private static void Open(HeadlessChromium browser, string webAddress)
    {
        browser.Open($"{webAddress}/models/ticker");
        // Generous: on a loaded machine with a hundred tabs a page's first connect can take long; the measures do not depend on it.
        browser.WaitForText("connection", text => text.StartsWith("connected", StringComparison.Ordinal), "a page connected", TimeSpan.FromSeconds(180));
    }

    /// <summary>The notifications the model server has sent to the web view's pages (their viewers are named web-...).</summary>
    private static async Task<long> DeliveredAsync(ModelClient model) =>
        (await model.ListViewersAsync("ticker")).Where(v => v.Name.StartsWith("web-", StringComparison.Ordinal)).Sum(v => v.NotificationsSent);
}

/// <summary>One run of the web workload.</summary>
internal sealed record WebCost(
    int Pages, long OnePageBytes, long AllPagesBytes, long AfterWindowBytes, double ChangesPerSecond, double DeliveredPerSecond,
    double ProcessorMicrosPerDelivered, double ProcessorShare, TimeSpan LatestShownAfter)
{
    public double PerPageKiB => (AllPagesBytes - OnePageBytes) / (Pages - 1) / 1024.0;

    public static string Header =>
        "| pages | RSS, 1 page (MiB) | RSS, 100 pages (MiB) | per page (KiB) | RSS after the window (MiB) | changes/s made | notifications/s delivered to pages | web view processor per notification (us) | web view processor (cores) |\n"
        + "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";

    public string ToMarkdownRow() => string.Create(CultureInfo.InvariantCulture,
        $"| {Pages} | {OnePageBytes / 1048576.0:F1} | {AllPagesBytes / 1048576.0:F1} | {PerPageKiB:F0} | {AfterWindowBytes / 1048576.0:F1} | {ChangesPerSecond:N0} | {DeliveredPerSecond:N0} | {ProcessorMicrosPerDelivered:F0} | {ProcessorShare:F2} |");
}
