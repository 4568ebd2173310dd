using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Health.V1;
using RemoteModel.Transport.Server;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace RemoteModel.Transport.Health;

/// <summary>
/// The standard gRPC health service (doc/health-checking.md): every server runs one. The empty
/// service name stands for the whole server. Every served service starts SERVING; a stopping
/// server turns everything NOT_SERVING so load balancers drain it.
/// </summary>
public sealed class HealthService
{
    private readonly ConcurrentDictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Channel<ServingStatus>, Watcher> _watchers = new();
    private volatile bool _shutDown;

    internal HealthService(IEnumerable<string> services)
    {
        _statuses[string.Empty] = ServingStatus.Serving;
        _statuses[HealthMethods.ServiceName] = ServingStatus.Serving;
        foreach (var service in services)
        {
            _statuses[service] = ServingStatus.Serving;
        }
    }

    /// <summary>Sets the status of <paramref name="service"/> (empty: the whole server) and tells its watchers.</summary>
    public void SetStatus(string service, ServingStatus status)
    {
        _statuses[service] = status;
        foreach (var (updates, watcher) in _watchers)
        {
            if (watcher.Service == service)
            {
                updates.Writer.TryWrite(status);
            }
        }
    }

    /// <summary>The status of <paramref name="service"/>, or null for one this server does not know.</summary>
    public ServingStatus? GetStatus(string service) =>
        _statuses.TryGetValue(service, out var status) ? status : null;

    /// <summary>
    /// Turns every service NOT_SERVING and lets each watcher send that before its stream ends,
    /// so a load balancer hears of the shutdown instead of a broken stream.
    /// </summary>
    internal async Task ShutdownAsync(TimeSpan timeout)
    {
        _shutDown = true;
        foreach (var service in _statuses.Keys)
        {
            SetStatus(service, ServingStatus.NotServing);
        }

        foreach (var updates in _watchers.Keys)
        {
            updates.Writer.TryComplete();
        }

        var drained = Task.WhenAll(_watchers.Values.Select(w => w.Done.Task));
        await Task.WhenAny(drained, Task.Delay(timeout)).ConfigureAwait(false);
    }

    internal ServiceDefinition Bind() =>
        ServiceDefinition.CreateBuilder(HealthMethods.ServiceName)
            .AddUnary(HealthMethods.Check, CheckAsync)
            .AddServerStreaming(HealthMethods.Watch, WatchAsync)
            .Build();

    private Task<HealthCheckResponse> CheckAsync(HealthCheckRequest request, ServerCallContext context) =>
        GetStatus(request.Service) is { } status
            ? Task.FromResult(new HealthCheckResponse { Status = status })
            : throw new RpcException(StatusCode.NotFound, $"Service '{request.Service}' is not known to this server.");

    private async Task WatchAsync(
        HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> stream, ServerCallContext context)
    {
        // Only the latest status matters to a watcher, so a slow one skips what it missed.
        var updates = Channel.CreateBounded<ServingStatus>(
            new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        var watcher = new Watcher(request.Service);
        _watchers[updates] = watcher;
        try
        {
            var current = GetStatus(request.Service) ?? ServingStatus.ServiceUnknown;
            await stream.WriteAsync(new HealthCheckResponse { Status = current }, context.CancellationToken);
            if (_shutDown)
            {
                return;
            }

            await foreach (var status in updates.Reader.ReadAllAsync(context.CancellationToken))
            {
                if (status != current)
                {
                    current = status;
                    await stream.WriteAsync(new HealthCheckResponse { Status = status }, context.CancellationToken);
                }
            }
        }
        finally
        {
            _watchers.TryRemove(updates, out _);
            watcher.Done.TrySetResult();
        }
    }

    private sealed record Watcher(string Service)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
