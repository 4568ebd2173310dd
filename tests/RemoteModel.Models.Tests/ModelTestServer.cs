using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RemoteModel.Grpc.Client;
using RemoteModel.Grpc.Server;
using RemoteModel.Models.Server;
using RemoteModel.Models.V1;
using RemoteModel.Testing;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Models.Tests;

/// <summary>
/// A real model server on loopback port 0 over a registry, and clients to it. The service is the
/// test's own <see cref="ModelService"/> over that registry (its clock, limits and log), with no
/// call verifier and callers naming themselves (<see cref="CallerHeaderAuthorizer"/>): these tests
/// are about models, not keys.
/// </summary>
public sealed class ModelTestServer : IAsyncDisposable
{
    /// <summary>How long each unary call may take before it fails, so a server that hangs fails the test rather than hanging it.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private readonly List<SignedChannel> _channels = [];

    private ModelTestServer(ModelRegistry registry, LoopbackServer server)
    {
        Registry = registry;
        Server = server;
    }

    public ModelRegistry Registry { get; }

    public LoopbackServer Server { get; }

    public static async Task<ModelTestServer> StartAsync(
        TimeProvider clock, ModelHostOptions? options = null, Action<ModelRegistry>? host = null, ILoggerFactory? loggerFactory = null)
    {
        var registry = new ModelRegistry(options, clock, loggerFactory);
        host?.Invoke(registry);
        var service = new ModelService(registry);
        var server = await LoopbackServer.StartAsync(
            services => services.AddSingleton(service).AddAuthenticatedGrpcService<ModelService>(),
            app => app.MapAuthenticatedGrpcService<ModelService>());
        return new ModelTestServer(registry, server);
    }

    /// <summary>A client on its own connection, naming itself <paramref name="caller"/> in <paramref name="asCaller"/>.</summary>
    public ModelClient Client(out CallOptions asCaller, string caller = "alice")
    {
        var channel = SignedChannel.ForAddress(Server.Address);
        _channels.Add(channel);
        asCaller = new CallOptions(headers: new Metadata { { CallerHeaderAuthorizer.CallerHeader, caller } });
        return new ModelClient(channel.Intercept(new UnaryCallTimeout()));
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

    /// <summary>Gives each unary call without a deadline <see cref="CallTimeout"/> from when it starts; streams are bounded by their reads instead.</summary>
    private sealed class UnaryCallTimeout : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            var options = context.Options.Deadline is null ? context.Options.WithDeadline(DateTime.UtcNow + CallTimeout) : context.Options;
            return continuation(request, new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, options));
        }
    }
}

/// <summary>Reads a subscription one notification at a time, with a generous timeout.</summary>
public sealed class Subscription : IAsyncDisposable
{
    private readonly AsyncServerStreamingCall<Notification> _call;
    private readonly IAsyncEnumerator<Notification> _events;

    public Subscription(ModelClient client, SubscribeRequest request, CallOptions options = default)
    {
        _call = client.Subscribe(request, options);
        _events = _call.ResponseStream.ReadAllAsync().GetAsyncEnumerator();
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

    /// <summary>Reads until the next LOCK notification (the lock taken, released or broken) and returns it.</summary>
    public async Task<Notification> NextLockAsync()
    {
        while (true)
        {
            var next = await NextAsync();
            if (next.Kind == Notification.Types.Kind.Lock)
            {
                return next;
            }
        }
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
