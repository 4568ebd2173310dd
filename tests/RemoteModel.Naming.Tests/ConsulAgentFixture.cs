using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using RemoteModel.Naming.Consul;
using RemoteModel.Testing;

namespace RemoteModel.Naming.Tests;

/// <summary>
/// One <c>consul agent -dev</c> (a single server, in memory) on free loopback ports, shared by a
/// test class; tests keep apart by their own Consul service names and prefixes. Not started where
/// no consul binary is on PATH, where the tests are skipped with the reason. Needs Consul 1.14 or
/// later (the grpc_tls port).
/// </summary>
public sealed class ConsulAgentFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private ChildProcess? _process;

    /// <summary>The agent's HTTP address.</summary>
    public Uri Address { get; private set; } = ConsulRegistryOptions.DefaultAddress;

    /// <summary>Options for a store on this agent, under a Consul service of its own.</summary>
    public ConsulRegistryOptions Options() => new()
    {
        Address = _process is null ? throw new InvalidOperationException("Consul was not started.") : Address,
        ServiceName = $"rmtest-{Guid.NewGuid():N}"[..22],
        WatchWait = TimeSpan.FromSeconds(10),
    };

    public async Task InitializeAsync()
    {
        if (PeerRequirement.SkipReason([Peer.Consul]) is not null)
        {
            return;
        }

        var ports = FreeLoopbackPorts(4);
        Address = new Uri($"http://127.0.0.1:{ports[0]}");
        var config = $"ports {{ http = {ports[0]}, dns = -1, grpc = -1, grpc_tls = -1, serf_lan = {ports[1]}, serf_wan = {ports[2]}, server = {ports[3]} }}\n"
            + "disable_update_check = true\n";
        _process = ChildProcess.Start(OutsidePeers.FindOnPath("consul")!,
            ["agent", "-dev", "-bind=127.0.0.1", "-client=127.0.0.1", "-node=remotemodel-test", "-log-level=warn", "-hcl", config]);
        await WaitUntilReadyAsync();
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    /// <summary>Ready when the server has a leader and its own "consul" service passes in the catalog.</summary>
    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"consul agent -dev exited while starting. stderr:\n{_process.StandardError}\nstdout:\n{string.Join('\n', _process.Lines)}");
            }

            try
            {
                using var response = await http.GetAsync("/v1/health/service/consul?passing");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    if (body.RootElement.GetArrayLength() > 0)
                    {
                        return;
                    }
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"consul agent -dev was not ready within {StartTimeout}. stderr:\n{_process.StandardError}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Ports free on 127.0.0.1 now, all different: each bound to port 0 at once, then released.</summary>
    private static List<int> FreeLoopbackPorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}
