using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Grpc.Client;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.Server;
using RemoteModel.Testing;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.Naming.Tests;

/// <summary>
/// A test's own <see cref="NamingService"/> (its store, clock and logger) served as the name server
/// serves one (<c>AddNameService</c>/<c>MapNameService</c>, calls verified with the test keyring)
/// by a real Kestrel server on loopback, with a client that signs with the test key.
/// </summary>
internal sealed class ServedNamingService : IAsyncDisposable
{
    private readonly LoopbackServer _server;
    private readonly SignedChannel _channel;

    private ServedNamingService(LoopbackServer server, SignedChannel channel)
    {
        _server = server;
        _channel = channel;
        Client = new NamingClient(channel);
    }

    /// <summary>A client of the served service.</summary>
    public NamingClient Client { get; }

    /// <summary>The server it is served by.</summary>
    public LoopbackServer Server => _server;

    /// <summary>Serves <paramref name="service"/>; returns once it has answered a ping.</summary>
    public static async Task<ServedNamingService> StartAsync(NamingService service)
    {
        // AddNameService only adds a NamingService of its own when there is none.
        var server = await LoopbackServer.StartAsync(services => services.AddSingleton(service).AddNameService(), app => app.MapNameService());
        try
        {
            return new ServedNamingService(server, await NameServerLocator.ConnectAsync(server.Address, TestKeyring.Signer));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server gracefully, as Ctrl+C stops the name server.</summary>
    public Task StopAsync() => _server.StopAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }
}
