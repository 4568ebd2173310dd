using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using RemoteModel.Grpc;
using RemoteModel.Grpc.Authentication;
using RemoteModel.Grpc.Client;
using RemoteModel.Models.Client;
using RemoteModel.Models.Runtime;
using RemoteModel.Models.Server;
using RemoteModel.Models.V1;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;
using Value = RemoteModel.Models.V1.Value;

namespace RemoteModel.Models.Relay;

/// <summary>
/// A model served here that lives elsewhere (the cascading servers of the lab systems): one
/// subscription to the source, followed across its restarts (<see cref="ModelFollower"/>: resumed
/// when the source still holds what was missed, else resynchronised), is mirrored here and fanned
/// out to this server's own viewers, so many viewers do not all hang on the source's server. The
/// mirror carries the source's view exactly: values and their states, epoch, versions, lifecycle
/// state and lock; Describe and Query are answered from it. Modify, Invoke, SetStreamRate, History,
/// Lock, HoldLock and Unlock are passed to the source, signed with this server's key and naming the
/// original caller (<see cref="CallerHeaderAuthorizer.OnBehalfOfHeader"/>), and the source's refusals
/// come back with the source's status and message. Viewers get exactly the source's notifications
/// (versions, changed_by, cause, kinds, states, epoch): the changes replayed by a resumed
/// subscription as ordinary changes, and a RESYNC saying why whenever the mirror itself was
/// resynchronised. The mirrored changes are kept (under the source's epoch and versions) so that a
/// relay's viewer may resume at the relay too.
/// </summary>
public sealed partial class ModelRelay : IServedModel
{
    /// <summary>How long a relay waits before trying again after its source refused it outright (a bad key, a missing model).</summary>
    private static readonly TimeSpan RefusedRetryDelay = TimeSpan.FromSeconds(5);

    private readonly object _gate = new();
    private readonly CallSigner? _signer;
    private readonly string? _nameServer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ViewerHub _viewers;
    private readonly ChangeLog _changes;
    private readonly Dictionary<string, Value> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ValueState> _states = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _following;
    private ModelDescription? _description;
    private string _epoch = string.Empty;
    private LifecycleState _state;
    private LockInfo? _lock;
    private bool _synchronised;
    private (string Endpoint, SignedChannel Channel)? _upstream;

    internal ModelRelay(
        string name, RelaySource source, CallSigner? signer, string? nameServer, ModelHostOptions options, TimeProvider timeProvider, ILogger logger,
        IViewerDirectory? viewerDirectory)
    {
        Name = name;
        SubscriberName = $"{name.Replace('/', '.')}-{Random.Shared.Next():x8}";
        Source = source;
        _signer = signer;
        _nameServer = nameServer;
        _time = timeProvider;
        _logger = logger;
        _changes = new ChangeLog(options.ChangeLogCapacity, Timestamp.FromDateTimeOffset(timeProvider.GetUtcNow()));
        _viewers = new ViewerHub(name, options, _gate, Snapshot, timeProvider, logger, viewerDirectory, changesAfter: _changes.After);
        _following = Task.Run(() => FollowAsync(_stopping.Token));
    }

    /// <summary>The name the relay serves the model under.</summary>
    public string Name { get; }

    /// <summary>The model it mirrors.</summary>
    public RelaySource Source { get; }

    /// <summary>The version the mirror is at: the source's, as of the last notification it got.</summary>
    public long Version => _changes.Version;

    /// <summary>
    /// The viewer name the relay subscribes to its source with: its own name in one segment and a
    /// suffix of its own, since relays of one source on several machines may share a name.
    /// </summary>
    private string SubscriberName { get; }

    /// <inheritdoc />
    public ModelSummary Summarize()
    {
        lock (_gate)
        {
            return new ModelSummary { Model = Name, TypeName = _description?.TypeName ?? string.Empty, Version = _changes.Version, State = _state, Lock = _lock };
        }
    }

    /// <summary>The source's description (limits, memorized properties, operations, streams) as of the last reconnect or transition, under this relay's name, at the mirror's version, epoch, state and lock.</summary>
    /// <exception cref="RpcException">UNAVAILABLE before the relay first reached its source.</exception>
    public ModelDescription Describe()
    {
        lock (_gate)
        {
            var description = Mirrored().Clone();
            description.Model = Name;
            description.Version = _changes.Version;
            description.Epoch = _epoch;
            description.Lock = _lock;
            if (description.Lifecycle is { } lifecycle)
            {
                lifecycle.State = _state;
            }

            return description;
        }
    }

    /// <summary>The mirrored values of <paramref name="properties"/> (all when empty), with their states, at the mirror's version and epoch.</summary>
    /// <exception cref="ModelException">NOT_FOUND for an unknown property.</exception>
    /// <exception cref="RpcException">UNAVAILABLE before the relay first reached its source.</exception>
    public QueryResponse Query(IEnumerable<string>? properties = null)
    {
        lock (_gate)
        {
            var response = new QueryResponse { Version = _changes.Version, Time = _changes.ChangedAt, Epoch = _epoch };
            foreach (var name in Choose(Mirrored(), properties))
            {
                response.Values[name] = _values.TryGetValue(name, out var value) ? value : new Value();
                if (_states.TryGetValue(name, out var state))
                {
                    response.States[name] = state;
                }
            }

            return response;
        }
    }

    /// <summary>The viewers subscribed to this relay (not the source's).</summary>
    public IReadOnlyList<ViewerInfo> Viewers() => _viewers.Describe();

    /// <summary>Stops following the source and ends every viewer's stream.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _following.ConfigureAwait(false);
        _viewers.Close();
        lock (_gate)
        {
            _upstream?.Channel.Dispose();
            _upstream = null;
        }

        _stopping.Dispose();
    }

    ValueTask<ModifyResponse> IServedModel.ModifyAsync(ModifyRequest request, string caller, CancellationToken cancellationToken) =>
        ForwardAsync(request, static (client, forwarded, options) => client.ModifyAsync(forwarded, options), "Modify", caller, cancellationToken);

    ValueTask<InvokeResponse> IServedModel.InvokeAsync(InvokeRequest request, string caller, CancellationToken cancellationToken) =>
        ForwardAsync(request, static (client, forwarded, options) => client.InvokeAsync(forwarded, options), "Invoke", caller, cancellationToken);

    async ValueTask<PeriodicStreamDescription> IServedModel.SetStreamRateAsync(string stream, double rateHz, string caller, CancellationToken cancellationToken)
    {
        var request = new SetStreamRateRequest { Model = Source.Model, Stream = stream, RateHz = rateHz };
        var response = await ForwardAsync((client, options) => client.SetStreamRateAsync(request, options), "SetStreamRate", caller, cancellationToken)
            .ConfigureAwait(false);
        lock (_gate)
        {
            // The mirror's description shows the new rate at once, as the source's does.
            if (_description?.Streams.FirstOrDefault(s => s.Name == response.Stream.Name) is { } described)
            {
                described.MergeFrom(response.Stream);
            }
        }

        return response.Stream;
    }

    async ValueTask<IReadOnlyList<AuditRecord>> IServedModel.HistoryAsync(int limit, CancellationToken cancellationToken)
    {
        var request = new HistoryRequest { Model = Source.Model, Limit = limit };
        return (await ForwardAsync((client, options) => client.HistoryAsync(request, options), "History", null, cancellationToken).ConfigureAwait(false)).Records;
    }

    ValueTask<LockResponse> IServedModel.LockAsync(LockRequest request, string caller, CancellationToken cancellationToken) =>
        ForwardAsync(request, static (client, forwarded, options) => client.LockAsync(forwarded, options), "Lock", caller, cancellationToken);

    ValueTask<UnlockResponse> IServedModel.UnlockAsync(UnlockRequest request, string caller, CancellationToken cancellationToken) =>
        ForwardAsync(request, static (client, forwarded, options) => client.UnlockAsync(forwarded, options), "Unlock", caller, cancellationToken);

    /// <summary>
    /// Holds the source's lock through a HoldLock stream of the relay's own, for as long as the
    /// caller's stream here lasts: when it ends, the relay's call to the source is cancelled with it,
    /// and the source releases the lock. The source's events are passed on; its refusal, or the end of
    /// a broken lock (ABORTED), comes back as the source said it.
    /// </summary>
    async ValueTask<LockInfo> IServedModel.HoldLockAsync(string caller, Func<LockEvent, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var client = new ModelClient(Channel());
        LockInfo? held = null;
        try
        {
            using var call = client.HoldLock(new HoldLockRequest { Model = Source.Model }, Forwarded(caller, cancellationToken));
            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                held = call.ResponseStream.Current.Lock;
                await write(call.ResponseStream.Current, cancellationToken).ConfigureAwait(false);
            }

            return held ?? throw new RpcException(new Status(StatusCode.Unavailable, $"the source {Source} of relay '{Name}' ended the HoldLock stream without granting the lock"));
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is RpcException or OperationCanceledException)
        {
            // The holder went away (or this server stops): the relay's own stream to the source ended with it.
            return held ?? new LockInfo();
        }
        catch (RpcException ex)
        {
            throw Refused("HoldLock", ex);
        }
    }

    Task IServedModel.ServeViewerAsync(
        SubscribeRequest request, string peer, Func<IReadOnlyList<SerializedMessage<Notification>>, CancellationToken, Task> write,
        CancellationToken cancellationToken)
    {
        ViewerRequest checkedRequest;
        lock (_gate)
        {
            var description = Mirrored();
            var properties = request.Properties.Count == 0 ? null : Choose(description, request.Properties);
            foreach (var stream in request.Streams.Where(s => description.Streams.All(d => d.Name != s)))
            {
                throw new ModelException(ModelErrorReason.NotFound,
                    $"model '{Name}' has no stream '{stream}'; it has: {List(description.Streams.Select(d => d.Name))}");
            }

            var deadbands = request.Deadbands.Count == 0
                ? null
                : DeadbandFilter.Create(request.Deadbands, description.Properties.ToDictionary(p => p.Name, DeadbandTarget.Of, StringComparer.Ordinal), properties ?? Choose(description, null));
            checkedRequest = _viewers.Check(request, properties, deadbands);
        }

        return _viewers.ServeAsync(checkedRequest, peer, write, cancellationToken);
    }

    /// <summary>
    /// Follows the source until the relay is disposed. A refusal the follower gives up on (the
    /// relay's key refused, the model not there) is logged and tried again after a while, since a
    /// server has nobody to hand it to.
    /// </summary>
    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        IReadOnlySet<string> streams = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            // Subscribing once with every stream the source has, when it answers now.
            var endpoint = await Source.Address.ResolveAsync(_nameServer, cancellationToken).ConfigureAwait(false);
            streams = StreamsOf(await DescribeAsync(Upstream(endpoint), cancellationToken).ConfigureAwait(false));
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Not yet: the follower tries until it does, and subscribes again once it knows the streams.
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            // A follower made anew (to take every stream the source has) resumes where the mirror is.
            var request = new SubscribeRequest { Model = Source.Model, ViewerName = SubscriberName, Mode = DeliveryMode.EveryChange, Streams = { streams } };
            lock (_gate)
            {
                if (_synchronised)
                {
                    request.ResumeEpoch = _epoch;
                    request.ResumeAfterVersion = _changes.Version;
                }
            }

            var follower = new ModelFollower(Source.Address, request, _nameServer, _time) { Signer = _signer };
            try
            {
                await foreach (var happened in follower.FollowAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (happened.Kind == FollowEventKind.Lost)
                    {
                        LogSourceLost(Name, Source.ToString(), happened.Problem ?? "unknown", happened.RetryIn);
                        continue;
                    }

                    if (happened.Kind == FollowEventKind.Connected)
                    {
                        var described = await ConnectedAsync(happened, cancellationToken).ConfigureAwait(false);
                        if (!described.SetEquals(streams))
                        {
                            // Subscribe again with every stream the source has, so this relay's viewers may ask for any.
                            streams = described;
                            break;
                        }

                        continue;
                    }

                    if (Mirror(happened.Notification!))
                    {
                        // A lifecycle transition changes which operations are allowed: the source says which.
                        await DescribeAsync(Upstream(happened.Endpoint!), cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogSourceRefused(Name, Source.ToString(), ex is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : ex.Message, RefusedRetryDelay);
                try
                {
                    await Task.Delay(RefusedRetryDelay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>
    /// A (re)subscription began: describes the source anew and takes its first notification (a
    /// snapshot, a RESYNC saying why, or RESUMED with the missed changes to follow); returns the source's streams.
    /// </summary>
    private async Task<IReadOnlySet<string>> ConnectedAsync(FollowEvent connected, CancellationToken cancellationToken)
    {
        var description = await DescribeAsync(Upstream(connected.Endpoint!), cancellationToken).ConfigureAwait(false);
        Mirror(connected.Notification!);
        LogSourceConnected(Name, Source.ToString(), connected.Endpoint!, connected.DescribeStart());
        return StreamsOf(description);
    }

    private static HashSet<string> StreamsOf(ModelDescription description) => description.Streams.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

    private async Task<ModelDescription> DescribeAsync(SignedChannel channel, CancellationToken cancellationToken)
    {
        var description = await new ModelClient(channel).DescribeAsync(new DescribeRequest { Model = Source.Model }, cancellationToken: cancellationToken);
        lock (_gate)
        {
            _description = description;
        }

        return description;
    }

    /// <summary>
    /// Takes one notification of the source into the mirror and passes it on to this relay's viewers,
    /// as it is; true when it changed the lifecycle state.
    /// </summary>
    private bool Mirror(Notification notification)
    {
        lock (_gate)
        {
            var state = _state;
            switch (notification.Kind)
            {
                case Notification.Types.Kind.Snapshot or Notification.Types.Kind.Resync:
                    // The mirror is replaced as a whole; the relay's viewers are told why (nothing to tell before the first).
                    _values.Clear();
                    _states.Clear();
                    Take(notification);
                    _epoch = notification.Epoch;
                    _lock = notification.Lock;
                    _viewers.Epoch = _epoch;
                    _changes.Restart(notification.Version, notification.Time ?? _changes.ChangedAt);
                    if (_synchronised)
                    {
                        _viewers.ResynchroniseAll(notification.ResyncReason);
                    }

                    _synchronised = true;
                    break;
                case Notification.Types.Kind.Change:
                    Take(notification);
                    _changes.Mirror(notification);
                    _viewers.Publish(notification);
                    break;
                case Notification.Types.Kind.Sample:
                    _viewers.PublishSample(notification.Cause, notification);
                    break;
                case Notification.Types.Kind.Lock:
                    _lock = notification.Lock;
                    _viewers.PublishLock(notification);
                    break;
                case Notification.Types.Kind.Resumed:
                    // The same epoch: the missed changes follow as CHANGEs, passed on as ordinary changes.
                    break;
                default:
                    _viewers.Publish(notification);
                    break;
            }

            return _state != state;
        }
    }

    private void Take(Notification notification)
    {
        foreach (var (name, value) in notification.Values)
        {
            _values[name] = value;
            // Every state explicit in the mirror: an absent one means VALID as of that notification's time.
            _states[name] = notification.StateOf(name);
        }

        if (notification.State != LifecycleState.Unspecified)
        {
            _state = notification.State;
        }
    }

    /// <summary>The mirror as <paramref name="viewer"/> sees it now; called under the gate.</summary>
    private Notification Snapshot(Viewer viewer, Notification.Types.Kind kind)
    {
        var snapshot = new Notification
        {
            Kind = kind, Version = _changes.Version, Time = _changes.ChangedAt, ViewerName = viewer.Name, State = _state, Epoch = _epoch, Lock = _lock,
        };
        foreach (var (name, value) in _values)
        {
            if (viewer.Properties?.Contains(name) ?? true)
            {
                snapshot.Values[name] = value;
                if (_states.TryGetValue(name, out var state))
                {
                    snapshot.AddState(name, state);
                }
            }
        }

        return snapshot;
    }

    /// <summary>Passes a copy of <paramref name="request"/>, renamed to the source's model, as <see cref="ForwardAsync{T}"/> does.</summary>
    private ValueTask<TResponse> ForwardAsync<TRequest, TResponse>(
        TRequest request, Func<ModelClient, TRequest, CallOptions, AsyncUnaryCall<TResponse>> call, string method, string caller, CancellationToken cancellationToken)
        where TRequest : IModelRequest<TRequest>
    {
        var forwarded = request.Clone();
        forwarded.Model = Source.Model;
        return ForwardAsync((client, options) => call(client, forwarded, options), method, caller, cancellationToken);
    }

    /// <summary>Passes a call to the source, signed with this server's key and naming <paramref name="caller"/>; the source's refusal comes back as it was.</summary>
    private async ValueTask<T> ForwardAsync<T>(
        Func<ModelClient, CallOptions, AsyncUnaryCall<T>> call, string method, string? caller, CancellationToken cancellationToken)
    {
        var client = new ModelClient(Channel());
        try
        {
            return await call(client, Forwarded(caller, cancellationToken)).ConfigureAwait(false);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Refused(method, ex);
        }
    }

    /// <summary>The channel to the source as of the last (re)subscription.</summary>
    private SignedChannel Channel()
    {
        lock (_gate)
        {
            return _upstream?.Channel ?? throw NotYetReached();
        }
    }

    /// <summary>A passed-on call's options: this relay names itself, and the caller it acts for (none for reads).</summary>
    private CallOptions Forwarded(string? caller, CancellationToken cancellationToken)
    {
        var headers = new Metadata { { CallerHeaderAuthorizer.CallerHeader, Name } };
        if (caller is not null)
        {
            headers.Add(CallerHeaderAuthorizer.OnBehalfOfHeader, caller);
        }

        return new CallOptions(headers, cancellationToken: cancellationToken);
    }

    /// <summary>The source's refusal of a passed-on call, as the source said it (status and message), logged here.</summary>
    private RpcException Refused(string method, RpcException refusal)
    {
        LogForwardRefused(Name, method, Source.ToString(), refusal.StatusCode, refusal.Status.Detail);
        return new RpcException(new Status(refusal.StatusCode, refusal.Status.Detail));
    }

    /// <summary>The channel for calls passed to the source at <paramref name="endpoint"/>, made anew when the source moved.</summary>
    private SignedChannel Upstream(string endpoint)
    {
        lock (_gate)
        {
            if (_upstream is { } current && current.Endpoint == endpoint)
            {
                return current.Channel;
            }

            _upstream?.Channel.Dispose();
            var channel = SignedChannel.ForAddress(endpoint, _signer);
            _upstream = (endpoint, channel);
            return channel;
        }
    }

    /// <summary>The source's description, once the mirror has had a first snapshot; called under the gate.</summary>
    private ModelDescription Mirrored() => _synchronised && _description is { } description ? description : throw NotYetReached();

    private RpcException NotYetReached() =>
        new(new Status(StatusCode.Unavailable, $"relay '{Name}' has not reached its source {Source} yet; try again shortly"));

    private List<string> Choose(ModelDescription description, IEnumerable<string>? names)
    {
        var chosen = names?.ToList() ?? [];
        foreach (var name in chosen.Where(n => description.Properties.All(p => p.Name != n)))
        {
            throw new ModelException(ModelErrorReason.NotFound, $"model '{Name}' has no property '{name}'; it has: {List(description.Properties.Select(p => p.Name))}");
        }

        return chosen.Count > 0 ? chosen : [.. description.Properties.Select(p => p.Name)];
    }

    private static string List(IEnumerable<string> names)
    {
        var list = string.Join(", ", names);
        return list.Length == 0 ? "none" : list;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "relay {Model} reached its source {Source} at {Endpoint}: {Start}")]
    private partial void LogSourceConnected(string model, string source, string endpoint, string start);

    [LoggerMessage(Level = LogLevel.Warning, Message = "relay {Model} lost its source {Source}: {Problem}; trying again in {RetryIn}")]
    private partial void LogSourceLost(string model, string source, string problem, TimeSpan retryIn);

    [LoggerMessage(Level = LogLevel.Error, Message = "relay {Model} was refused by its source {Source}: {Problem}; trying again in {RetryIn}")]
    private partial void LogSourceRefused(string model, string source, string problem, TimeSpan retryIn);

    [LoggerMessage(Level = LogLevel.Information, Message = "relay {Model}: {Method} refused by the source {Source}: {Code} {Reason}")]
    private partial void LogForwardRefused(string model, string method, string source, StatusCode code, string reason);
}
