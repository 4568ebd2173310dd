using System.Net;
using System.Net.Sockets;
using RemoteModel.Naming.Client;
using RemoteModel.Testing;

namespace RemoteModel.EndToEnd.Tests;

/// <summary>
/// What the README's commands run in: a user's directories of their own, and a name server
/// address of the test's own (a free port in place of 9090, through the environment, so the
/// commands stay exactly as written).
/// </summary>
internal sealed class Walkthrough : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly UserDirectories _home = new();
    private readonly List<ChildProcess> _processes = [];

    public Walkthrough()
    {
        NameServer = $"http://127.0.0.1:{FreePort()}";
        Environment = new Dictionary<string, string>(_home.Environment)
        {
            [NameServerLocator.EnvironmentVariable] = NameServer,
            ["REMOTEMODEL_NameServer__Listen__0"] = NameServer,
            // The web view on a free port of its own in place of 8080, the command as written.
            ["REMOTEMODEL_Web__Listen"] = "http://127.0.0.1:0",
        };
    }

    public string NameServer { get; }

    public IDictionary<string, string> Environment { get; }

    public UserDirectories Home => _home;

    /// <summary>Starts a README command.</summary>
    public ChildProcess Start(string command)
    {
        var process = Readme.Parse(command).Start(Environment);
        _processes.Add(process);
        return process;
    }

    /// <summary>Starts a server command and waits until it is ready.</summary>
    public async Task<ChildProcess> StartServerAsync(string command)
    {
        var process = Start(command);
        await process.WaitForLineAsync("LISTENING", StartTimeout);
        return process;
    }

    /// <summary>Runs a command that ends by itself; returns it after it ended with exit code 0.</summary>
    public async Task<ChildProcess> RunAsync(string command)
    {
        var process = Start(command);
        var exitCode = await process.WaitForExitAsync(StartTimeout);
        Assert.True(exitCode == 0, $"'{command}' exited {exitCode}:\n{string.Join('\n', process.Lines)}\n{process.StandardError}");
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        _home.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
