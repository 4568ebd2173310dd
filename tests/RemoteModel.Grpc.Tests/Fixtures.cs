using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Grpc.Authentication;
using RemoteModel.Grpc.Client;
using RemoteModel.Grpc.Server;
using RemoteModel.Testing;
using RemoteModel.Testing.V1;

namespace RemoteModel.Grpc.Tests;

/// <summary>
/// Starts real Kestrel servers that serve <see cref="EchoService"/> as the project serves every
/// service: <c>AddAuthenticatedGrpcService</c> and <c>MapAuthenticatedGrpcService</c> on a
/// <see cref="LoopbackServer"/> (health and reflection included).
/// </summary>
internal static class EchoServer
{
    /// <summary>
    /// A server of <paramref name="service"/> (a fresh one by default), its calls checked by
    /// <paramref name="verifier"/> (none: served unchecked and unsealed).
    /// </summary>
    public static Task<LoopbackServer> StartAsync(
        EchoService? service = null,
        CallVerifier? verifier = null,
        IReadOnlyDictionary<string, string?>? settings = null,
        IReadOnlyList<string>? listen = null) =>
        LoopbackServer.StartAsync(
            services =>
            {
                // One instance for every call, so its counters see them all.
                services.AddSingleton(service ?? new EchoService());
                if (verifier is not null)
                {
                    services.AddSingleton(verifier);
                }

                services.AddAuthenticatedGrpcService<EchoService>();
            },
            app => app.MapAuthenticatedGrpcService<EchoService>(),
            settings,
            listen);

    /// <summary>Fails unless a unary call on <paramref name="channel"/> is answered: the server goes on serving.</summary>
    public static async Task AssertServesAsync(ChannelBase channel)
    {
        var reply = await new Echo.EchoClient(channel).UnaryAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("still here") });
        Assert.Equal("still here", reply.Payload.ToStringUtf8());
    }
}

/// <summary>A real Kestrel echo server on a free loopback port, and an unsigned stock channel to it.</summary>
public sealed class EchoServerFixture : IAsyncLifetime
{
    public EchoService Service { get; } = new();

    public LoopbackServer Server { get; private set; } = null!;

    public SignedChannel Channel { get; private set; } = null!;

    public string Address => Server.Address;

    public async Task InitializeAsync()
    {
        Server = await EchoServer.StartAsync(Service);
        Channel = SignedChannel.ForAddress(Address);
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>python grpcio's echo server (tests/interop/python/echo_server.py) as a child process, and a stock channel to it.</summary>
public sealed class PythonEchoServerFixture : IAsyncLifetime
{
    private ChildProcess? _process;

    public SignedChannel Channel { get; private set; } = null!;

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
        Channel = SignedChannel.ForAddress($"http://127.0.0.1:{port}");
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
