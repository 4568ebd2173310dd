using RemoteModel.Naming.Client;
using RemoteModel.Testing;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.EndToEnd.Tests;

/// <summary>
/// Every executable stops gracefully at the first Ctrl+C or SIGTERM. A SIGTERM that comes while it
/// stops (a launcher or service manager passing the stop on) does not cut the graceful stop short;
/// a second Ctrl+C does (see the viewer's tests).
/// </summary>
public sealed class ShutdownTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly UserDirectories _home = new();
    private readonly List<ChildProcess> _processes = [];
    private string _nameServer = null!;

    public async Task InitializeAsync()
    {
        var nameServer = Start(Executables.NameServer, ["--listen", "http://127.0.0.1:0"]);
        _nameServer = (await nameServer.WaitForLineAsync("LISTENING", StartTimeout)).Split(' ')[0];
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        _home.Dispose();
    }

    [Fact]
    public async Task Ctrl_c_then_sigterm_still_stops_the_model_server_and_viewer_gracefully()
    {
        var server = Start(Executables.ModelServer,
            ["--model", "ticker=RemoteModel.Examples.Ticker.TickerModel", "--assembly", Executables.TickerAssembly, "--ns", _nameServer]);
        await server.WaitForLineAsync("LISTENING", StartTimeout);
        var viewer = Start(Executables.Viewer, ["ticker", "--ns", _nameServer]);
        await viewer.WaitForLineAsync("connected to ticker", StartTimeout);

        foreach (var process in new[] { viewer, server })
        {
            process.Signal(Posix.SigInt);
            process.Signal(Posix.SigTerm);
        }

        Assert.Equal(0, await viewer.WaitForExitAsync(StopTimeout));
        Assert.Equal(0, await server.WaitForExitAsync(StopTimeout));
        Assert.Contains("stopped viewing ticker", viewer.Lines);
        Assert.Contains("Model server stopped", server.StandardError);
        using var channel = await NameServerLocator.ConnectAsync(_nameServer, UserDirectories.Outsider);
        Assert.Empty((await new NamingClient(channel).ListAsync()).Registrations);
    }

    private ChildProcess Start(string dll, string[] arguments)
    {
        var process = Executables.Start(dll, arguments, _home.Environment);
        _processes.Add(process);
        return process;
    }
}
