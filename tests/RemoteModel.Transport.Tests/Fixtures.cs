using RemoteModel.Testing;
using RemoteModel.Transport.Client;
using RemoteModel.Transport.Server;

namespace RemoteModel.Transport.Tests;

/// <summary>A real Kestrel echo server on a free loopback port, and a channel to it.</summary>
public sealed class EchoServerFixture : IAsyncLifetime
{
    public EchoService Service { get; } = new();

    public GrpcServer Server { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public string Address => Server.Addresses[0];

    public async Task InitializeAsync()
    {
        Server = GrpcServer.CreateBuilder().Listen("http://127.0.0.1:0").AddService(Service.Bind()).Build();
        await Server.StartAsync();
        Channel = GrpcChannel.ForAddress(Address);
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>python grpcio's echo server (tests/interop/python/echo_server.py) as a child process.</summary>
public sealed class PythonEchoServerFixture : IAsyncLifetime
{
    private ChildProcess? _process;

    public GrpcChannel Channel { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (PeerRequirement.SkipReason([Peer.PythonGrpc]) is not null)
        {
            return;
        }

        PeerRequirement.Require(Peer.PythonGrpc);
        _process = ChildProcess.Start(OutsidePeers.Python,
            [RepositoryPaths.Combine("tests", "interop", "python", "echo_server.py"), "--port", "0"]);
        var port = await _process.WaitForLineAsync("LISTENING", TimeSpan.FromSeconds(30));
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}
