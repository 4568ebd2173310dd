using RemoteModel.Models.Client;
using RemoteModel.Models.Server;
using RemoteModel.Models.V1;
using RemoteModel.Transport;
using RemoteModel.Transport.Client;
using RemoteModel.Transport.Server;

namespace RemoteModel.Models.Tests;

/// <summary>A real model server on loopback port 0 over a registry, and clients to it.</summary>
public sealed class ModelTestServer : IAsyncDisposable
{
    private readonly List<GrpcChannel> _channels = [];

    private ModelTestServer(ModelRegistry registry, GrpcServer server)
    {
        Registry = registry;
        Server = server;
    }

    public ModelRegistry Registry { get; }

    public GrpcServer Server { get; }

    public static async Task<ModelTestServer> StartAsync(TimeProvider clock, ModelHostOptions? options = null, Action<ModelRegistry>? host = null)
    {
        var registry = new ModelRegistry(options, clock);
        host?.Invoke(registry);
        var server = GrpcServer.CreateBuilder().AddService(new ModelService(registry).Bind()).Build();
        await server.StartAsync();
        return new ModelTestServer(registry, server);
    }

    /// <summary>A client on its own connection, naming itself <paramref name="caller"/>.</summary>
    public ModelClient Client(out CallOptions asCaller, string caller = "alice")
    {
        var channel = GrpcChannel.ForAddress(Server.Addresses[0]);
        _channels.Add(channel);
        asCaller = new CallOptions { Headers = new Metadata().Add(CallerHeaderAuthorizer.CallerHeader, caller), Timeout = TimeSpan.FromSeconds(30) };
        return new ModelClient(channel);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        await Server.DisposeAsync();
        await Registry.DisposeAsync();
    }
}

/// <summary>Reads a subscription one notification at a time, with a generous timeout.</summary>
public sealed class Subscription : IAsyncDisposable
{
    private readonly ServerStreamingCall<Notification> _call;
    private readonly IAsyncEnumerator<Notification> _events;

    public Subscription(ModelClient client, SubscribeRequest request, CallOptions options = default)
    {
        _call = client.Subscribe(request, options);
        _events = _call.ReadAllAsync().GetAsyncEnumerator();
    }

    public Task<bool> MoveNextAsync() => _events.MoveNextAsync().AsTask();

    public async Task<Notification> NextAsync()
    {
        Assert.True(await _events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), "the subscription ended");
        return _events.Current;
    }

    /// <summary>Reads until a notification at <paramref name="version"/> or later arrives; returns everything read.</summary>
    public async Task<List<Notification>> ReadUntilVersionAsync(long version)
    {
        var read = new List<Notification>();
        while (read.Count == 0 || read[^1].Version < version)
        {
            read.Add(await NextAsync());
        }

        return read;
    }

    public async ValueTask DisposeAsync()
    {
        _call.Dispose();
        try
        {
            await _events.DisposeAsync();
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException)
        {
        }
    }
}
