using RemoteModel.Hosting;
using RemoteModel.Naming.Client;

namespace RemoteModel.Examples.TickerDemo;

/// <summary>
/// Runs the walkthrough's processes together: the name server (unless one already answers), the
/// model server with the ticker, the web view, and a viewer in this terminal; and stops them together, at the
/// first Ctrl+C or SIGTERM (passed on to each process in turn); a second Ctrl+C ends everything
/// at once (<see cref="ShutdownSignal"/>).
/// </summary>
internal sealed class Demo(string? nameServer, string webAddress, IReadOnlyList<string> viewerArguments)
{
    /// <summary>Where the web view listens unless told otherwise (and that port is free).</summary>
    public const string DefaultWebAddress = "http://127.0.0.1:8080";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly List<DemoProcess> _processes = [];
    private CancellationToken _stopping;

    public async Task<int> RunAsync()
    {
        using var shutdown = new ShutdownSignal(exitingNow: KillAll);
        _stopping = shutdown.Token;
        try
        {
            return await RunProcessesAsync();
        }
        finally
        {
            await StopAllAsync();
            foreach (var process in _processes)
            {
                process.Dispose();
            }
        }
    }

    private async Task<int> RunProcessesAsync()
    {
        var logs = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "remotemodel", "demo");
        Directory.CreateDirectory(logs);
        var nameServerAddress = NameServerLocator.Resolve(nameServer);
        string nameServerLine;
        try
        {
            if (await NameServerAnswersAsync(nameServerAddress))
            {
                nameServerLine = $"{nameServerAddress} (already running; used as it is)";
            }
            else
            {
                var ns = Start(DemoProcess.StartServer("name server", DemoParts.NameServer, ["--listen", nameServerAddress], Path.Combine(logs, "nameserver.log")));
                await ns.ListeningAsync(_stopping).WaitAsync(ReadyTimeout, _stopping);
                nameServerLine = $"{nameServerAddress} (embedded store; log {ns.LogPath})";
            }

            var server = Start(DemoProcess.StartServer("model server", DemoParts.ModelServer,
                ["--model", "ticker=RemoteModel.Examples.Ticker.TickerModel", "--assembly", DemoParts.TickerAssembly, "--ns", nameServerAddress],
                Path.Combine(logs, "modelserver.log")));
            var serverAddresses = await server.ListeningAsync(_stopping).WaitAsync(ReadyTimeout, _stopping);
            var webView = Start(DemoProcess.StartServer("web view", DemoParts.Web, ["--ns", nameServerAddress, "--listen", WebListenAddress()],
                Path.Combine(logs, "web.log")));
            var webAddresses = await webView.ListeningAsync(_stopping).WaitAsync(ReadyTimeout, _stopping);
            Console.Error.WriteLine($"""
                RemoteModel ticker demo
                  name server   {nameServerLine}
                  model server  {serverAddresses}, serving "ticker" (log {server.LogPath})
                  web view      {webAddresses} (log {webView.LogPath})
                Open the web view in a browser to watch and drive the ticker: {webAddresses.Split(' ')[0].TrimEnd('/')}/models/ticker
                Drive the ticker from another terminal while this one shows it:
                  dotnet run --project src/Controller -- --ns {nameServerAddress}
                  > var t = Connect("ticker");
                  > t.Rate = 5.0;
                Ctrl+C stops everything.

                """);
        }
        catch (InvalidOperationException ex) when (!_stopping.IsCancellationRequested)
        {
            return Fail(ex.Message);
        }
        catch (TimeoutException)
        {
            return Fail($"a server was not ready within {ReadyTimeout.TotalSeconds:0} s");
        }
        catch (OperationCanceledException)
        {
            return 130;
        }

        var viewer = Start(DemoProcess.StartInTerminal("viewer", DemoParts.Viewer, ["ticker", "--ns", nameServerAddress, .. viewerArguments]));
        var stopping = Task.Delay(Timeout.InfiniteTimeSpan, _stopping);
        await Task.WhenAny([stopping, .. _processes.Select(p => p.WaitForExitAsync())]);
        if (_stopping.IsCancellationRequested)
        {
            return 0;
        }

        var first = _processes.First(p => p.HasExited);
        return first == viewer ? viewer.ExitCode : Fail($"the {first.Name} exited (code {first.ExitCode})");
    }

    /// <summary>The web view's address: as asked, unless it is the default and its port is taken (then any free port, so a second demo still runs).</summary>
    private string WebListenAddress()
    {
        if (webAddress != DefaultWebAddress)
        {
            return webAddress;
        }

        try
        {
            using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, new Uri(DefaultWebAddress).Port);
            probe.Start();
            return DefaultWebAddress;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return "http://127.0.0.1:0";
        }
    }

    private DemoProcess Start(DemoProcess process)
    {
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    private int Fail(string problem)
    {
        Console.Error.WriteLine($"ticker-demo: {problem}");
        foreach (var process in _processes.Where(p => p.LogPath is not null))
        {
            foreach (var line in process.LogTail(5))
            {
                Console.Error.WriteLine($"  [{process.Name}] {line}");
            }
        }

        return 1;
    }

    private static async Task<bool> NameServerAnswersAsync(string address)
    {
        try
        {
            // No token of our own: the locator's ping has a deadline that ends as NameServerUnreachableException,
            // whereas a cancelled ping ends as CANCELLED, which would stop the demo with a stack trace when a
            // name server is there but slow to answer its first call (a busy machine).
            using var channel = await NameServerLocator.ConnectAsync(address);
            return true;
        }
        catch (NameServerUnreachableException)
        {
            return false;
        }
    }

    /// <summary>
    /// Stops the processes in the walkthrough's reverse order (viewer, web view, model server, name server),
    /// each with SIGTERM; one that had Ctrl+C from the terminal already just goes on stopping.
    /// </summary>
    private async Task StopAllAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes))
        {
            process.Terminate();
            await process.WaitForExitAsync();
        }
    }

    private void KillAll()
    {
        lock (_processes)
        {
            foreach (var process in _processes)
            {
                process.Kill();
            }
        }
    }
}
