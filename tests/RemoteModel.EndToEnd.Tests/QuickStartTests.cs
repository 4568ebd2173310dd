using System.Net;
using System.Net.Sockets;
using RemoteModel.Naming.Client;
using RemoteModel.Testing;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.EndToEnd.Tests;

/// <summary>
/// The README's quick start (<c>dotnet run --project examples/TickerDemo</c>): one command that runs
/// a name server, the ticker's model server and a viewer, and stops them together.
/// </summary>
public sealed class QuickStartTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly UserDirectories _home = new();
    private readonly List<ChildProcess> _processes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        _home.Dispose();
    }

    [Fact]
    public async Task One_command_runs_name_server_ticker_and_viewer_and_stops_them_together()
    {
        var nameServer = $"http://127.0.0.1:{FreePort()}";
        var quickStart = Readme.Parse(Readme.Commands("## Quick start")[0]);
        Assert.Equal(Executables.TickerDemo, quickStart.Dll);
        var demo = Start(quickStart.Dll, [.. quickStart.Arguments, "--ns", nameServer]);

        await demo.WaitForLineAsync("connected to ticker", StartTimeout);
        await demo.WaitForLineAsync(string.Empty, StartTimeout, line => line.Contains(" CHANGE ") && line.Contains("by model"));
        using var channel = await NameServerLocator.ConnectAsync(nameServer, UserDirectories.Outsider);
        var listed = (await new NamingClient(channel).ListAsync()).Registrations;
        Assert.Contains(listed, r => r.Name == "ticker" && r.Kind == "model");
        Assert.Contains(listed, r => r.Name.StartsWith("ticker/viewers/", StringComparison.Ordinal) && r.Kind == "viewer");
        Assert.Contains("Connect(\"ticker\")", demo.StandardError);
        Assert.Contains("/models/ticker", demo.StandardError);

        demo.Signal(Posix.SigTerm);

        Assert.Equal(0, await demo.WaitForExitAsync(StopTimeout));
        Assert.Contains("stopped viewing ticker", demo.Lines);
        await Assert.ThrowsAsync<NameServerUnreachableException>(() => NameServerLocator.ConnectAsync(nameServer, UserDirectories.Outsider));
        var modelServerLog = await File.ReadAllLinesAsync(Path.Combine(_home.Data, "remotemodel", "demo", "modelserver.log"));
        Assert.Contains(modelServerLog, line => line.Contains("Model server stopped"));
    }

    [Fact]
    public async Task A_name_server_already_running_is_used_and_left_running()
    {
        var nameServerProcess = Start(Executables.NameServer, ["--listen", "http://127.0.0.1:0"]);
        var nameServer = (await nameServerProcess.WaitForLineAsync("LISTENING", StartTimeout)).Split(' ')[0];
        var demo = Start(Executables.TickerDemo, ["--ns", nameServer]);

        await demo.WaitForLineAsync(string.Empty, StartTimeout, line => line.Contains(" SNAPSHOT "));
        Assert.Contains("already running", demo.StandardError);
        demo.Signal(Posix.SigTerm);
        Assert.Equal(0, await demo.WaitForExitAsync(StopTimeout));

        using var channel = await NameServerLocator.ConnectAsync(nameServer, UserDirectories.Outsider);
        Assert.Empty((await new NamingClient(channel).ListAsync()).Registrations);
        Assert.False(nameServerProcess.HasExited);
    }

    private ChildProcess Start(string dll, string[] arguments)
    {
        var process = Executables.Start(dll, arguments, _home.Environment);
        _processes.Add(process);
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
