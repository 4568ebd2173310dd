using RemoteModel.Grpc;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteModel.Models.Runtime;
using RemoteModel.Models.V1;
using RemoteModel.Models.Values;
using RemoteModel.Naming;
using Grpc.Core;
using Value = RemoteModel.Models.V1.Value;

namespace RemoteModel.Models;

/// <summary>
/// One live model instance, hosted: its schema, one serialized change path that versions every
/// change (a controller's modify, an invocation, the model's own PropertyChanged), its viewers,
/// its audit history and its periodic streams.
/// </summary>
/// <remarks>
/// Setters and operations run synchronously under the host's change lock, so they are never
/// concurrent with each other; PropertyChanged events they raise on that thread are folded into
/// the one change they make. PropertyChanged raised on any other thread (a timer, a driver)
/// waits for the lock and becomes a change of its own, by <c>model</c>. A model must therefore
/// not block a setter or operation on another thread that raises PropertyChanged.
/// </remarks>
public sealed partial class ModelHost : IAsyncDisposable
{
    /// <summary>The identity of changes the model makes by itself.</summary>
    public const string ModelIdentity = "model";

    private readonly object _gate = new();
    private readonly ModelSchema _schema;
    private readonly ModelHostOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Viewer> _viewers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlySet<string>> _filters = new(StringComparer.Ordinal);
    private readonly AuditLog _audit;
    private readonly IViewerDirectory? _viewerDirectory;
    private readonly CancellationTokenSource _disposed = new();
    private readonly ViewerPump _pump;
    private HashSet<string>? _touched;
    private long _version;
    private Timestamp _changedAt;
    private LifecycleState _state;

    /// <summary>Hosts <paramref name="model"/> under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The model publishes something the protocol cannot carry, or its declarations contradict each other.</exception>
    public ModelHost(
        string name, INotifyPropertyChanged model, ModelHostOptions? options = null, TimeProvider? timeProvider = null, ILogger<ModelHost>? logger = null,
        IViewerDirectory? viewerDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(model);
        Name = name;
        Model = model;
        _options = options ?? new ModelHostOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<ModelHost>.Instance;
        _viewerDirectory = viewerDirectory;
        _schema = new ModelSchema(model.GetType());
        _audit = new AuditLog(_options.HistoryCapacity);
        _pump = new ViewerPump(Resynchronise, _time);
        _state = _schema.Lifecycle is null ? LifecycleState.Unspecified : LifecycleState.Uninitialized;
        _changedAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow());
        lock (_gate)
        {
            foreach (var stream in _schema.Streams.Values.Where(s => s.RateHz > 0))
            {
                StartStream(stream);
            }
        }

        model.PropertyChanged += OnPropertyChanged;
    }

    /// <summary>The name the model is hosted under.</summary>
    public string Name { get; }

    /// <summary>The hosted instance.</summary>
    public INotifyPropertyChanged Model { get; }

    /// <summary>The version: how many changes the model has seen since it was hosted.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The lifecycle state; UNSPECIFIED for a model without a lifecycle.</summary>
    public LifecycleState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>The model's name, type, version and state.</summary>
    public ModelSummary Summarize()
    {
        lock (_gate)
        {
            return new ModelSummary { Model = Name, TypeName = _schema.TypeName, Version = _version, State = _state };
        }
    }

    /// <summary>The schema, lifecycle state, streams and version.</summary>
    public ModelDescription Describe()
    {
        lock (_gate)
        {
            var description = new ModelDescription { Model = Name, TypeName = _schema.TypeName, Description = _schema.Description, Version = _version };
            description.Properties.AddRange(_schema.Properties.Values.Select(p => p.Describe()));
            if (_schema.Lifecycle is { } lifecycle)
            {
                description.Operations.AddRange(lifecycle.DescribeOperations());
                description.Lifecycle = lifecycle.Describe(_state);
            }

            description.Operations.AddRange(_schema.Operations.Values.Select(o => o.Describe()));
            description.Streams.AddRange(_schema.Streams.Values.Select(s => s.Describe()));
            return description;
        }
    }

    /// <summary>The values of <paramref name="properties"/> (all when empty), with the version and time they are as of.</summary>
    /// <exception cref="RpcException">NOT_FOUND for an unknown property.</exception>
    public QueryResponse Query(IEnumerable<string>? properties = null)
    {
        lock (_gate)
        {
            var chosen = Choose(properties);
            var response = new QueryResponse { Version = _version, Time = _changedAt };
            foreach (var property in chosen)
            {
                response.Values[property.Name] = property.Read(Model);
            }

            return response;
        }
    }

    /// <summary>
    /// Sets several properties atomically: every name, type, range and writability is checked
    /// before anything changes, and should a setter throw, the ones already set are put back.
    /// </summary>
    /// <exception cref="RpcException">
    /// NOT_FOUND (unknown property), INVALID_ARGUMENT (wrong type, read-only), OUT_OF_RANGE,
    /// ABORTED (expected_version is stale), or the setter's own failure (see <c>ModelErrors</c>).
    /// </exception>
    public ModifyResponse Modify(ModifyRequest request, string caller)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            try
            {
                CheckExpectedVersion(request.HasExpectedVersion ? request.ExpectedVersion : null);
                var changes = new List<(PropertyBinding Property, object? Value)>();
                foreach (var (name, value) in request.Values.OrderBy(v => v.Key, StringComparer.Ordinal))
                {
                    var property = Property(name);
                    if (property.ReadOnly)
                    {
                        throw new RpcException(new Status(StatusCode.InvalidArgument, $"property '{name}' is read-only"));
                    }

                    changes.Add((property, Convert(() => property.Convert(value))));
                }

                var response = new ModifyResponse { Version = _version };
                foreach (var (property, value) in changes)
                {
                    response.Applied[property.Name] = ValueCodec.ToValue(value);
                }

                if (request.DryRun)
                {
                    Audit(caller, "modify", request.Values, new Status(StatusCode.OK, "dry run: nothing applied"));
                    return response;
                }

                _touched = new HashSet<string>(StringComparer.Ordinal);
                var done = new List<(PropertyBinding Property, object? Old)>();
                try
                {
                    foreach (var (property, value) in changes)
                    {
                        object? old;
                        try
                        {
                            old = property.Get(Model);
                            property.Set(Model, value);
                        }
                        catch (Exception ex)
                        {
                            RollBack(done);
                            throw ModelErrors.ToRpc(ex, $"setting '{property.Name}'");
                        }

                        done.Add((property, old));
                    }
                }
                finally
                {
                    var touched = _touched;
                    _touched = null;
                    foreach (var (property, _) in done)
                    {
                        touched.Add(property.Name);
                    }

                    if (done.Count == changes.Count && changes.Count > 0)
                    {
                        response.Version = Commit(touched, caller, "modify", LifecycleState.Unspecified);
                    }
                }

                Audit(caller, "modify", response.Applied, Status.DefaultSuccess);
                return response;
            }
            catch (RpcException ex)
            {
                Audit(caller, "modify", request.Values, ex.Status);
                throw;
            }
        }
    }

    /// <summary>Invokes an operation (or a lifecycle transition) with typed arguments, defaults filled in.</summary>
    /// <exception cref="RpcException">
    /// NOT_FOUND (unknown operation), INVALID_ARGUMENT (unknown, missing or mistyped argument),
    /// OUT_OF_RANGE, FAILED_PRECONDITION (not allowed in the current lifecycle state), ABORTED
    /// (expected_version is stale), or the operation's own failure (see <c>ModelErrors</c>).
    /// </exception>
    public InvokeResponse Invoke(InvokeRequest request, string caller)
    {
        ArgumentNullException.ThrowIfNull(request);
        var action = $"invoke:{request.Operation}";
        lock (_gate)
        {
            try
            {
                CheckExpectedVersion(request.HasExpectedVersion ? request.ExpectedVersion : null);
                var response = _schema.Lifecycle is { } lifecycle && LifecycleBinding.IsTransition(request.Operation)
                    ? Transition(lifecycle, request, caller, action)
                    : Operate(request, caller, action);
                Audit(caller, action, request.Arguments, Status.DefaultSuccess, response.Version);
                return response;
            }
            catch (RpcException ex)
            {
                Audit(caller, action, request.Arguments, ex.Status);
                throw;
            }
        }
    }

    /// <summary>Enables (rate above 0), re-rates or disables (0) a periodic stream.</summary>
    /// <exception cref="RpcException">NOT_FOUND (unknown stream), INVALID_ARGUMENT (negative rate), OUT_OF_RANGE (above the stream's maximum).</exception>
    public PeriodicStreamDescription SetStreamRate(string stream, double rateHz, string caller)
    {
        lock (_gate)
        {
            if (!_schema.Streams.TryGetValue(stream, out var binding))
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"model '{Name}' has no periodic stream '{stream}'; it has: {List(_schema.Streams.Keys)}"));
            }

            if (!double.IsFinite(rateHz) || rateHz < 0)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"stream '{stream}': a rate must be 0 (off) or positive, not {rateHz}"));
            }

            if (rateHz > binding.MaxRateHz)
            {
                throw new RpcException(new Status(StatusCode.OutOfRange, $"stream '{stream}': {rateHz} Hz is above its maximum of {binding.MaxRateHz} Hz"));
            }

            binding.Timer?.Dispose();
            binding.Timer = null;
            binding.RateHz = rateHz;
            if (rateHz > 0)
            {
                StartStream(binding);
            }

            LogStreamRate(Name, stream, rateHz, caller);
            return binding.Describe();
        }
    }

    /// <summary>The newest audit records, newest last; <paramref name="limit"/> 0 gives the default number.</summary>
    public IReadOnlyList<AuditRecord> History(int limit = 0) =>
        limit < 0
            ? throw new RpcException(new Status(StatusCode.InvalidArgument, $"a history limit cannot be negative ({limit})"))
            : _audit.Recent(limit == 0 ? _options.DefaultHistoryLimit : limit);

    /// <summary>The viewers subscribed now.</summary>
    public IReadOnlyList<ViewerInfo> Viewers() => [.. _viewers.Values.Select(v => v.Describe()).OrderBy(v => v.Name, StringComparer.Ordinal)];

    /// <summary>
    /// Subscribes a viewer in process: the returned sequence starts with a SNAPSHOT, then one CHANGE
    /// per change in version order (merged for LATEST or rate-limited viewers), a RESYNC snapshot when
    /// the viewer fell behind its queue, and SAMPLEs of the streams asked for. The request is checked
    /// here; the viewer joins when the sequence is first enumerated (refused then with ALREADY_EXISTS
    /// or RESOURCE_EXHAUSTED) and is listed until the sequence is disposed. A reader that falls
    /// behind is treated as a slow stream is: it gets a RESYNC, and holds nobody else up.
    /// </summary>
    /// <exception cref="RpcException">NOT_FOUND (unknown property or stream), INVALID_ARGUMENT (bad rate or name).</exception>
    public IAsyncEnumerable<Notification> Subscribe(SubscribeRequest request, string peer, CancellationToken cancellationToken = default)
    {
        var subscription = CheckSubscription(request);
        return ReadInProcessAsync(subscription, peer, cancellationToken);
    }

    /// <summary>
    /// Serves a viewer whose notifications <paramref name="write"/> sends (a call's response stream)
    /// until <paramref name="cancellationToken"/> fires or the model is removed. <paramref name="write"/>
    /// gets batches of notifications serialized already, each to go out with one flush; it is never
    /// called again before the task it returned has completed, and may be called from any thread.
    /// </summary>
    /// <exception cref="RpcException">As <see cref="Subscribe"/>, and ALREADY_EXISTS or RESOURCE_EXHAUSTED when the viewer cannot join.</exception>
    internal Task ServeViewerAsync(
        SubscribeRequest request, string peer, Func<IReadOnlyList<SerializedMessage<Notification>>, CancellationToken, Task> write,
        CancellationToken cancellationToken) =>
        ServeViewerAsync(CheckSubscription(request), peer, write, cancellationToken);

    /// <summary>A checked subscription request: what a viewer asked for, with its name chosen.</summary>
    private sealed record Subscription(string Name, DeliveryMode Mode, double MaxRateHz, IReadOnlySet<string>? Properties, IReadOnlySet<string> Streams);

    private Subscription CheckSubscription(SubscribeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var properties = request.Properties.Count == 0 ? null : CanonicalFilter(Choose(request.Properties).Select(p => p.Name));
        foreach (var stream in request.Streams.Where(s => !_schema.Streams.ContainsKey(s)))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"model '{Name}' has no periodic stream '{stream}'; it has: {List(_schema.Streams.Keys)}"));
        }

        if (!double.IsFinite(request.MaxRateHz) || request.MaxRateHz < 0 || request.MaxRateHz > _options.MaxViewerRateHz)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"max_rate_hz must be within 0 (unlimited)..{_options.MaxViewerRateHz}, not {request.MaxRateHz}"));
        }

        if (request.ViewerName.Length > 0 && (request.ViewerName.Contains('/') || NameRules.Problem(request.ViewerName) is not null))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"viewer name '{request.ViewerName}' is not one name segment: use letters, digits, '.', '_' and '-'"));
        }

        var name = request.ViewerName.Length > 0 ? request.ViewerName : $"viewer-{Random.Shared.Next():x8}";
        return new Subscription(name, request.Mode, request.MaxRateHz, properties, request.Streams.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>
    /// The viewer's life: it joins (listed, with a snapshot taken under the change lock, so no change
    /// falls between the snapshot and its first CHANGE), its snapshot is written, and from then on
    /// the pump writes what is queued for it, until its call ends or the model is removed.
    /// </summary>
    private async Task ServeViewerAsync(
        Subscription subscription, string peer, Func<IReadOnlyList<SerializedMessage<Notification>>, CancellationToken, Task> write,
        CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var viewer = new Viewer(subscription.Name, peer, _time.GetUtcNow(), subscription.Mode, subscription.MaxRateHz,
            subscription.Properties, subscription.Streams, _options.ViewerQueueCapacity)
        {
            Write = write,
            Token = linked.Token,
        };
        SerializedMessage<Notification> snapshot;
        lock (_gate)
        {
            if (_viewers.Count >= _options.MaxViewers)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted, $"model '{Name}' has its maximum of {_options.MaxViewers} viewers"));
            }

            if (!_viewers.TryAdd(viewer.Name, viewer))
            {
                throw new RpcException(new Status(StatusCode.AlreadyExists, $"a viewer named '{viewer.Name}' is already subscribed to model '{Name}'"));
            }

            snapshot = new SerializedMessage<Notification>(Snapshot(viewer, Notification.Types.Kind.Snapshot));
        }

        LogViewerJoined(Name, viewer.Name, viewer.Peer, viewer.Mode, viewer.Properties is null ? "all" : string.Join(",", viewer.Properties));
        var listing = _viewerDirectory?.Enter(Name, viewer.Describe());
        var reason = "disconnected";
        try
        {
            using (linked.Token.Register(static state => ((Viewer)state!).End(), viewer))
            {
                try
                {
                    await write([snapshot], linked.Token).ConfigureAwait(false);
                    _pump.Finish(viewer, 1);
                }
                catch (Exception ex)
                {
                    viewer.End(ex is OperationCanceledException || linked.IsCancellationRequested ? null : ex);
                }

                await viewer.Ended.ConfigureAwait(false);
            }

            if (_disposed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                reason = "model removed";
                return;
            }

            // The call ended (the client left, its deadline, the server stopping): the transport says which.
            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            _viewers.TryRemove(new KeyValuePair<string, Viewer>(viewer.Name, viewer));
            if (listing is not null)
            {
                await listing.DisposeAsync().ConfigureAwait(false);
            }

            var info = viewer.Describe();
            LogViewerLeft(Name, viewer.Name, viewer.Peer, reason, info.NotificationsSent, info.Resyncs);
        }
    }

    /// <summary>
    /// An in-process viewer: its stream is a channel of one batch, so a reader that has not taken the
    /// last batch yet is a busy stream, as a full connection is.
    /// </summary>
    private async IAsyncEnumerable<Notification> ReadInProcessAsync(
        Subscription subscription, string peer, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batches = Channel.CreateBounded<SerializedMessage<Notification>[]>(1);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var serving = ServeViewerAsync(subscription, peer, (batch, token) => batches.Writer.WriteAsync([.. batch], token).AsTask(), reading.Token);
        _ = serving.ContinueWith(
            static (served, writer) => ((ChannelWriter<SerializedMessage<Notification>[]>)writer!).TryComplete(served.Exception?.InnerException),
            batches.Writer, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var notification in batch)
                {
                    yield return notification.Message;
                }
            }
        }
        finally
        {
            reading.Cancel();
            try
            {
                await serving.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The reader stopped reading; that is how an in-process viewer leaves.
            }
        }
    }

    /// <summary>Writes a fresh RESYNC snapshot in place of what a viewer that fell behind had queued.</summary>
    private void Resynchronise(Viewer viewer)
    {
        long version;
        lock (_gate)
        {
            version = _version;
            viewer.Resynchronised(new SerializedMessage<Notification>(Snapshot(viewer, Notification.Types.Kind.Resync)));
        }

        LogViewerResynced(Name, viewer.Name, version);
    }

    /// <summary>One set instance for every viewer asking for the same properties, so a change is filtered (and serialized) once for all of them.</summary>
    private IReadOnlySet<string> CanonicalFilter(IEnumerable<string> names)
    {
        var set = names.ToHashSet(StringComparer.Ordinal);
        return _filters.GetOrAdd(string.Join('\n', set.Order(StringComparer.Ordinal)), set);
    }

    /// <summary>Stops the streams, ends every viewer's sequence and stops listening to the model.</summary>
    public ValueTask DisposeAsync()
    {
        Model.PropertyChanged -= OnPropertyChanged;
        lock (_gate)
        {
            foreach (var stream in _schema.Streams.Values)
            {
                stream.Timer?.Dispose();
                stream.Timer = null;
            }
        }

        _disposed.Cancel();
        return ValueTask.CompletedTask;
    }

    private void OnPropertyChanged(object? sender, PropertyChangedEventArgs e)
    {
        lock (_gate)
        {
            IEnumerable<string> changed = e switch
            {
                PropertiesChangedEventArgs several => several.PropertyNames.Where(_schema.Properties.ContainsKey).ToList(),
                _ when string.IsNullOrEmpty(e.PropertyName) => _schema.Properties.Keys,
                _ when _schema.Properties.ContainsKey(e.PropertyName!) => [e.PropertyName!],
                _ => [],
            };
            if (!changed.Any())
            {
                return;
            }

            if (_touched is { } touched)
            {
                // Raised by a setter or operation running on the change path (the lock is re-entrant, so this is its thread).
                touched.UnionWith(changed);
                return;
            }

            Commit(changed, ModelIdentity, ModelIdentity, LifecycleState.Unspecified);
        }
    }

    private InvokeResponse Operate(InvokeRequest request, string caller, string action)
    {
        if (!_schema.Operations.TryGetValue(request.Operation, out var operation))
        {
            var names = (_schema.Lifecycle is null ? [] : new[] { LifecycleBinding.Init, LifecycleBinding.Configure, LifecycleBinding.Invalidate, LifecycleBinding.Deinit })
                .Concat(_schema.Operations.Keys);
            throw new RpcException(new Status(StatusCode.NotFound, $"model '{Name}' has no operation '{request.Operation}'; it has: {List(names)}"));
        }

        if (operation.AllowedIn.Count > 0 && !operation.AllowedIn.Contains(_state))
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"operation '{operation.Name}' is allowed only in {string.Join(", ", operation.AllowedIn.Select(StateName))}; the model is {StateName(_state)}"));
        }

        var arguments = Convert(() => operation.BindArguments(request.Arguments));
        object? result;
        _touched = new HashSet<string>(StringComparer.Ordinal);
        var version = _version;
        try
        {
            result = operation.Invoke(Model, arguments);
        }
        catch (Exception ex)
        {
            throw ModelErrors.ToRpc(ex, $"operation '{operation.Name}'");
        }
        finally
        {
            // What the operation changed is a change even when it failed afterwards.
            var touched = _touched;
            _touched = null;
            if (touched.Count > 0)
            {
                version = Commit(touched, caller, action, LifecycleState.Unspecified);
            }
        }

        return new InvokeResponse { Version = version, Result = operation.ResultType is null ? null : Convert(() => ValueCodec.ToValue(result)) };
    }

    private InvokeResponse Transition(LifecycleBinding lifecycle, InvokeRequest request, string caller, string action)
    {
        var operation = request.Operation;
        var allowed = LifecycleBinding.Allowed(_state);
        if (!allowed.Contains(operation))
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"'{operation}' is not allowed while the model is {StateName(_state)}; allowed now: {List(allowed)}"));
        }

        _touched = new HashSet<string>(StringComparer.Ordinal);
        RpcException? failure = null;
        try
        {
            lifecycle.Run(Model, operation, request.Arguments);
            _state = LifecycleBinding.Target(operation);
        }
        catch (Exception ex) when (ex is RpcException { StatusCode: StatusCode.InvalidArgument or StatusCode.OutOfRange } || ex is ValueConversionException)
        {
            // The arguments were refused before the transition ran: the state stays.
            _touched = null;
            throw ModelErrors.ToRpc(ex, operation);
        }
        catch (Exception ex)
        {
            _state = LifecycleState.Faulted;
            var inner = ModelErrors.ToRpc(ex, operation);
            failure = new RpcException(new Status(inner.StatusCode, $"{inner.Status.Detail}; the model is now FAULTED (only deinit is allowed)"));
        }

        var touched = _touched;
        _touched = null;
        var version = Commit(touched, caller, action, _state);
        LogTransition(Name, operation, _state, caller);
        return failure is null ? new InvokeResponse { Version = version } : throw failure;
    }

    private long Commit(IEnumerable<string> properties, string changedBy, string cause, LifecycleState state)
    {
        var notification = new Notification { Kind = Notification.Types.Kind.Change, ChangedBy = changedBy, Cause = cause, State = state };
        foreach (var name in properties)
        {
            notification.Values[name] = Read(_schema.Properties[name]);
        }

        var version = Interlocked.Increment(ref _version);
        _changedAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow());
        notification.Version = version;
        notification.Time = _changedAt;
        Publish(notification);
        return version;
    }

    /// <summary>
    /// Offers <paramref name="notification"/> to every viewer, each filtered to what it asked for;
    /// serialized once for all viewers that get the same view of it (the same filter). Viewers that
    /// were idle go to the pump.
    /// </summary>
    private void Publish(Notification notification)
    {
        SerializedMessage<Notification>? whole = null;
        Dictionary<IReadOnlySet<string>, SerializedMessage<Notification>?>? views = null;
        foreach (var viewer in _viewers.Values)
        {
            SerializedMessage<Notification>? view;
            if (viewer.Properties is not { } properties)
            {
                view = whole ??= new SerializedMessage<Notification>(notification);
            }
            else
            {
                views ??= new Dictionary<IReadOnlySet<string>, SerializedMessage<Notification>?>(ReferenceEqualityComparer.Instance);
                if (!views.TryGetValue(properties, out view))
                {
                    view = Viewer.Filter(notification, properties) is { } filtered ? new SerializedMessage<Notification>(filtered) : null;
                    views[properties] = view;
                }
            }

            if (view is not null && viewer.Offer(view))
            {
                _pump.Schedule(viewer);
            }
        }
    }

    private Notification Snapshot(Viewer viewer, Notification.Types.Kind kind)
    {
        var snapshot = new Notification { Kind = kind, Version = _version, Time = _changedAt, ViewerName = viewer.Name, State = _state };
        foreach (var property in _schema.Properties.Values.Where(p => viewer.Properties?.Contains(p.Name) ?? true))
        {
            snapshot.Values[property.Name] = Read(property);
        }

        return snapshot;
    }

    private void StartStream(StreamBinding stream)
    {
        var period = TimeSpan.FromSeconds(1 / stream.RateHz);
        ITimer? timer = null;
        timer = _time.CreateTimer(_ => Sample(stream, timer), null, period, period);
        stream.Timer = timer;
    }

    private void Sample(StreamBinding stream, ITimer? timer)
    {
        lock (_gate)
        {
            if (stream.Timer != timer || timer is null)
            {
                return;
            }

            var sample = new Notification
            {
                Kind = Notification.Types.Kind.Sample,
                Version = _version,
                Time = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
                ChangedBy = ModelIdentity,
                Cause = stream.Name,
            };
            foreach (var property in stream.Properties)
            {
                sample.Values[property.Name] = Read(property);
            }

            SerializedMessage<Notification>? serialized = null;
            foreach (var viewer in _viewers.Values.Where(v => v.Streams.Contains(stream.Name)))
            {
                if (viewer.OfferSample(stream.Name, serialized ??= new SerializedMessage<Notification>(sample)))
                {
                    _pump.Schedule(viewer);
                }
            }
        }
    }

    private Value Read(PropertyBinding property)
    {
        try
        {
            return property.Read(Model);
        }
        catch (Exception ex)
        {
            LogReadFailed(Name, property.Name, ex);
            return new Value();
        }
    }

    private void RollBack(List<(PropertyBinding Property, object? Old)> done)
    {
        for (var i = done.Count - 1; i >= 0; i--)
        {
            var (property, old) = done[i];
            try
            {
                property.Set(Model, old);
            }
            catch (Exception ex)
            {
                LogRollbackFailed(Name, property.Name, ex);
            }
        }

        done.Clear();
    }

    private void CheckExpectedVersion(long? expected)
    {
        if (expected is { } version && version != _version)
        {
            throw new RpcException(new Status(StatusCode.Aborted, $"model '{Name}' is at version {_version}, not the expected {version}; query it and try again"));
        }
    }

    private PropertyBinding Property(string name) =>
        _schema.Properties.TryGetValue(name, out var property)
            ? property
            : throw new RpcException(new Status(StatusCode.NotFound, $"model '{Name}' has no property '{name}'; it has: {List(_schema.Properties.Keys)}"));

    private List<PropertyBinding> Choose(IEnumerable<string>? names)
    {
        var chosen = names?.Select(Property).ToList() ?? [];
        return chosen.Count > 0 ? chosen : [.. _schema.Properties.Values];
    }

    private static T Convert<T>(Func<T> convert)
    {
        try
        {
            return convert();
        }
        catch (ValueConversionException ex)
        {
            throw ex.ToRpc();
        }
    }

    private void Audit(string caller, string action, IEnumerable<KeyValuePair<string, Value>> changes, Status status, long? version = null)
    {
        var record = new AuditRecord
        {
            Time = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
            Model = Name,
            Caller = caller,
            Action = action,
            Version = version ?? _version,
            StatusCode = (int)status.StatusCode,
            StatusMessage = status.Detail,
        };
        record.Changes.Add(changes.ToDictionary(c => c.Key, c => c.Value));
        _audit.Add(record);
        if (status.StatusCode == StatusCode.OK)
        {
            LogChangeApplied(Caller: caller, Model: Name, Action: action, Version: record.Version, Changes: record.Changes.ToDisplayString(), Note: status.Detail);
        }
        else
        {
            LogChangeRefused(Caller: caller, Model: Name, Action: action, Code: status.StatusCode, Reason: status.Detail);
        }
    }

    private static string StateName(LifecycleState state) => state.ToString().ToUpperInvariant();

    private static string List(IEnumerable<string> names)
    {
        var list = string.Join(", ", names);
        return list.Length == 0 ? "none" : list;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "change applied by {Caller} to {Model}: {Action} {Changes} -> version {Version} {Note}")]
    private partial void LogChangeApplied(string Caller, string Model, string Action, long Version, string Changes, string Note);

    [LoggerMessage(Level = LogLevel.Information, Message = "change refused for {Caller} on {Model}: {Action}: {Code} {Reason}")]
    private partial void LogChangeRefused(string Caller, string Model, string Action, StatusCode Code, string Reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "viewer joined {Model}: {Viewer} from {Peer}, {Mode}, properties {Properties}")]
    private partial void LogViewerJoined(string model, string viewer, string peer, DeliveryMode mode, string properties);

    [LoggerMessage(Level = LogLevel.Information, Message = "viewer left {Model}: {Viewer} from {Peer} ({Reason}), {NotificationsSent} notifications, {Resyncs} resyncs")]
    private partial void LogViewerLeft(string model, string viewer, string peer, string reason, long notificationsSent, long resyncs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "viewer {Viewer} of {Model} fell behind its queue and is resynchronised at version {Version}")]
    private partial void LogViewerResynced(string model, string viewer, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Model} lifecycle {Operation} by {Caller}: now {State}")]
    private partial void LogTransition(string model, string operation, LifecycleState state, string caller);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Model} stream {Stream} set to {RateHz} Hz by {Caller}")]
    private partial void LogStreamRate(string model, string stream, double rateHz, string caller);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Model}: reading {Property} failed; it is sent as no value")]
    private partial void LogReadFailed(string model, string property, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Model}: putting {Property} back after a failed modify failed; the model may be inconsistent")]
    private partial void LogRollbackFailed(string model, string property, Exception exception);
}
