using System.ComponentModel;
using System.Security.Cryptography;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteModel.Grpc;
using RemoteModel.Models.Client;
using RemoteModel.Models.Runtime;
using RemoteModel.Models.V1;
using RemoteModel.Models.Values;
using Value = RemoteModel.Models.V1.Value;
using System.Diagnostics;
using RemoteModel.Grpc.Telemetry;

namespace RemoteModel.Models;

/// <summary>
/// One live model instance, hosted: its schema and the one serialized change path that versions
/// every change (a controller's modify, an invocation, the model's own PropertyChanged), composed
/// with the parts that carry the rest: the change log (<c>ChangeLog</c>), each value's quality
/// and source time (<c>PropertyStates</c>), the lifecycle (<c>ModelLifecycle</c>), the viewers
/// (<c>ViewerHub</c>), the periodic streams (<c>StreamScheduler</c>) and the audit
/// (<c>ModelAudit</c>). Refusals are <see cref="ModelException"/>s.
/// </summary>
/// <remarks>
/// Setters and operations run synchronously under the host's change lock, so they are never
/// concurrent with each other; PropertyChanged events they raise on that thread are folded into
/// the one change they make. PropertyChanged raised on any other thread (a timer, a driver)
/// waits for the lock and becomes a change of its own, by <c>model</c>. A model must therefore
/// not block a setter or operation on another thread that raises PropertyChanged.
/// </remarks>
public sealed partial class ModelHost : IServedModel
{
    /// <summary>The identity of changes the model makes by itself.</summary>
    public const string ModelIdentity = "model";

    private readonly object _gate = new();
    private readonly ModelSchema _schema;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ChangeLog _changes;
    private readonly ModelLifecycle _lifecycle;
    private readonly ModelAudit _audit;
    private readonly ViewerHub _viewers;
    private readonly StreamScheduler _streams;
    private readonly PropertyStates _states;
    private readonly Dictionary<string, DeadbandTarget> _deadbandTargets;
    private readonly ModelLock _lock;
    private readonly TimeSpan _lockValidity;
    private readonly TimeSpan _maxLockValidity;
    private readonly MemorizedValues? _memorized;
    private HashSet<string>? _touched;

    // What the model said about its values (PropertyStateChangedEventArgs) since the last commit.
    private Dictionary<string, PropertyStateChangedEventArgs>? _reported;

    /// <summary>Hosts <paramref name="model"/> under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The model publishes something the protocol cannot carry, or its declarations contradict each other.</exception>
    /// <remarks>Memorized properties are kept only by the hosts a <see cref="Server.ModelRegistry"/> makes, in its state store.</remarks>
    public ModelHost(
        string name, INotifyPropertyChanged model, ModelHostOptions? options = null, TimeProvider? timeProvider = null, ILogger<ModelHost>? logger = null,
        IViewerDirectory? viewerDirectory = null)
        : this(name, model, options, timeProvider, logger, viewerDirectory, memory: null)
    {
    }

    /// <summary>Hosts <paramref name="model"/> under <paramref name="name"/>, its memorized properties kept in the store <paramref name="memory"/> opens when it has any.</summary>
    /// <exception cref="MemorizedStoreException">The store cannot be opened or read.</exception>
    internal ModelHost(
        string name, INotifyPropertyChanged model, ModelHostOptions? options, TimeProvider? timeProvider, ILogger<ModelHost>? logger,
        IViewerDirectory? viewerDirectory, Func<MemorizedStore>? memory)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(model);
        Name = name;
        Model = model;
        options ??= new ModelHostOptions();
        options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<ModelHost>.Instance;
        _schema = new ModelSchema(model.GetType());
        Epoch = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        _changes = new ChangeLog(options.ChangeLogCapacity, Timestamp.FromDateTimeOffset(_time.GetUtcNow()));
        _states = new PropertyStates(_schema.Properties.Values.Select(p => KeyValuePair.Create(p.Name, p.Limits)), _changes.ChangedAt);
        _deadbandTargets = _schema.Properties.Values.ToDictionary(p => p.Name, p => p.DeadbandTarget, StringComparer.Ordinal);
        _lifecycle = new ModelLifecycle(_schema.Lifecycle);
        _audit = new ModelAudit(name, options.HistoryCapacity, options.DefaultHistoryLimit, _time, _logger);
        _viewers = new ViewerHub(name, options, _gate, Snapshot, _time, _logger, viewerDirectory, Epoch, _changes.After);
        _lock = new ModelLock(name, _time, OnLockChanged, OnLeaseDue);
        _lockValidity = options.LockValidity;
        _maxLockValidity = options.MaxLockValidity;
        if (memory is not null && _schema.Properties.Values.Any(p => p.Memorized))
        {
            // Applied before anyone can see the model, and before its own changes are listened to: version 0 has them.
            _memorized = new MemorizedValues(name, memory(), _time, _logger);
            _memorized.Restore(model, _schema.Properties.Values);
        }

        _streams = new StreamScheduler(name, _schema.Streams, _gate, _time, Sample, _logger);
        model.PropertyChanged += OnPropertyChanged;
    }

    /// <summary>The name the model is hosted under.</summary>
    public string Name { get; }

    /// <summary>The hosted instance.</summary>
    public INotifyPropertyChanged Model { get; }

    /// <summary>Random for each host: a viewer that saw another epoch saw another start of the model's server, whose versions mean nothing here.</summary>
    public string Epoch { get; }

    /// <summary>The version: how many changes the model has seen since it was hosted.</summary>
    public long Version => _changes.Version;

    /// <summary>The lifecycle state; UNSPECIFIED for a model without a lifecycle.</summary>
    public LifecycleState State
    {
        get
        {
            lock (_gate)
            {
                return _lifecycle.State;
            }
        }
    }

    /// <summary>The model's name, type, version, state and lock.</summary>
    public ModelSummary Summarize()
    {
        lock (_gate)
        {
            return new ModelSummary { Model = Name, TypeName = _schema.TypeName, Version = _changes.Version, State = _lifecycle.State, Lock = _lock.Current };
        }
    }

    /// <summary>The schema, lifecycle state, streams and version.</summary>
    public ModelDescription Describe()
    {
        lock (_gate)
        {
            var description = new ModelDescription { Model = Name, TypeName = _schema.TypeName, Description = _schema.Description, Version = _changes.Version, Epoch = Epoch };
            description.Properties.AddRange(_schema.Properties.Values.Select(p => p.Describe()));
            _lifecycle.Describe(description);
            description.Operations.AddRange(_schema.Operations.Values.Select(o => o.Describe()));
            description.Streams.AddRange(_streams.Describe());
            description.Lock = _lock.Current;
            return description;
        }
    }

    /// <summary>The values of <paramref name="properties"/> (all when empty) with their quality and source time, and the version and time they are as of.</summary>
    /// <exception cref="ModelException">NOT_FOUND for an unknown property.</exception>
    public QueryResponse Query(IEnumerable<string>? properties = null)
    {
        lock (_gate)
        {
            var chosen = Choose(properties);
            var response = new QueryResponse { Version = _changes.Version, Time = _changes.ChangedAt, Epoch = Epoch };
            foreach (var property in chosen)
            {
                var value = property.Read(Model);
                response.Values[property.Name] = value;
                response.States[property.Name] = _states.Peek(property.Name, value);
            }

            return response;
        }
    }

    /// <summary>
    /// Sets several properties atomically: every name, type, range and writability is checked
    /// before anything changes, and should a setter throw, the ones already set are put back.
    /// </summary>
    /// <exception cref="ModelException">
    /// NOT_FOUND (unknown property), INVALID_ARGUMENT (wrong type, read-only), OUT_OF_RANGE,
    /// ABORTED (expected_version is stale), FAILED_PRECONDITION (someone else holds the lock),
    /// INTERNAL (a memorized value could not be kept: nothing changed), or the setter's own failure (see <c>ModelErrors</c>).
    /// </exception>
    public ModifyResponse Modify(ModifyRequest request, string caller)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var span = StartSpan("remotemodel.modify", caller);
        lock (_gate)
        {
            try
            {
                CheckLock(caller);
                CheckExpectedVersion(request.HasExpectedVersion ? request.ExpectedVersion : null);
                var changes = new List<(PropertyBinding Property, object? Value)>();
                foreach (var (name, value) in request.Values.OrderBy(v => v.Key, StringComparer.Ordinal))
                {
                    var property = Property(name);
                    if (property.ReadOnly)
                    {
                        throw new ModelException(ModelErrorReason.InvalidArgument, $"property '{name}' is read-only");
                    }

                    changes.Add((property, property.Convert(value)));
                }

                var response = new ModifyResponse { Version = _changes.Version, Epoch = Epoch };
                foreach (var (property, value) in changes)
                {
                    response.Applied[property.Name] = ValueCodec.ToValue(value);
                }

                if (request.DryRun)
                {
                    // The quality each value would have.
                    AddStates(response);
                    _audit.Applied(caller, "modify", request.Values, _changes.Version, "dry run: nothing applied");
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
                            throw ModelErrors.From(ex, $"setting '{property.Name}'");
                        }

                        done.Add((property, old));
                    }

                    if (_memorized is not null && !_memorized.Keep(response.Applied.Where(a => _schema.Properties[a.Key].Memorized), caller))
                    {
                        RollBack(done);
                        throw new ModelException(ModelErrorReason.Internal,
                            $"model '{Name}': the memorized values could not be kept in {_memorized.StorePath}, so nothing was changed; see the server's log");
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

                AddStates(response);
                _audit.Applied(caller, "modify", response.Applied, _changes.Version);
                return response;
            }
            catch (ModelException ex)
            {
                _audit.Refused(caller, "modify", request.Values, _changes.Version, ex);
                span?.SetStatus(ActivityStatusCode.Error, ex.Message);
                throw;
            }
        }
    }

    /// <summary>Invokes an operation (or a lifecycle transition) with typed arguments, defaults filled in.</summary>
    /// <exception cref="ModelException">
    /// NOT_FOUND (unknown operation), INVALID_ARGUMENT (unknown, missing or mistyped argument),
    /// OUT_OF_RANGE, FAILED_PRECONDITION (not allowed in the current lifecycle state, or someone else holds the lock), ABORTED
    /// (expected_version is stale), or the operation's own failure (see <c>ModelErrors</c>).
    /// </exception>
    public InvokeResponse Invoke(InvokeRequest request, string caller)
    {
        ArgumentNullException.ThrowIfNull(request);
        var action = $"invoke:{request.Operation}";
        using var span = StartSpan("remotemodel.invoke", caller)?.SetTag("remotemodel.operation", request.Operation);
        lock (_gate)
        {
            try
            {
                CheckLock(caller);
                CheckExpectedVersion(request.HasExpectedVersion ? request.ExpectedVersion : null);
                var response = _lifecycle.IsTransition(request.Operation)
                    ? Transition(request, caller, action)
                    : Operate(request, caller, action);
                _audit.Applied(caller, action, request.Arguments, response.Version);
                return response;
            }
            catch (ModelException ex)
            {
                _audit.Refused(caller, action, request.Arguments, _changes.Version, ex);
                span?.SetStatus(ActivityStatusCode.Error, ex.Message);
                throw;
            }
        }
    }

    /// <summary>Enables (rate above 0), re-rates or disables (0) a periodic stream.</summary>
    /// <exception cref="ModelException">NOT_FOUND (unknown stream), INVALID_ARGUMENT (negative rate), OUT_OF_RANGE (above the stream's maximum), FAILED_PRECONDITION (someone else holds the lock).</exception>
    public PeriodicStreamDescription SetStreamRate(string stream, double rateHz, string caller)
    {
        lock (_gate)
        {
            CheckLock(caller);
            return _streams.SetRate(stream, rateHz, caller);
        }
    }

    /// <summary>The newest audit records, newest last; <paramref name="limit"/> 0 gives the default number.</summary>
    /// <exception cref="ModelException">INVALID_ARGUMENT for a negative limit.</exception>
    public IReadOnlyList<AuditRecord> History(int limit = 0) => _audit.Recent(limit);

    /// <summary>The viewers subscribed now.</summary>
    public IReadOnlyList<ViewerInfo> Viewers() => _viewers.Describe();

    /// <summary>
    /// Subscribes a viewer in process: the returned sequence starts with a SNAPSHOT (resuming: RESUMED
    /// and exactly the changes missed, or a RESYNC saying why it cannot resume), then one CHANGE
    /// per change in version order (merged for LATEST or rate-limited viewers), a RESYNC snapshot when
    /// the viewer fell behind its queue, and SAMPLEs of the streams asked for. The request is checked
    /// here; the viewer joins when the sequence is first enumerated (refused then with ALREADY_EXISTS
    /// or RESOURCE_EXHAUSTED) and is listed until the sequence is disposed. A reader that falls
    /// behind is treated as a slow stream is: it gets a RESYNC, and holds nobody else up.
    /// </summary>
    /// <exception cref="ModelException">NOT_FOUND (unknown property or stream), INVALID_ARGUMENT (bad rate or name).</exception>
    public IAsyncEnumerable<Notification> Subscribe(SubscribeRequest request, string peer, CancellationToken cancellationToken = default) =>
        _viewers.ReadInProcessAsync(CheckSubscription(request), peer, cancellationToken);

    /// <summary>
    /// Serves a viewer whose notifications <paramref name="write"/> sends (a call's response stream)
    /// until <paramref name="cancellationToken"/> fires or the model is removed. <paramref name="write"/>
    /// gets batches of notifications serialized already, each to go out with one flush; it is never
    /// called again before the task it returned has completed, and may be called from any thread.
    /// </summary>
    /// <exception cref="ModelException">As <see cref="Subscribe"/>, and ALREADY_EXISTS or RESOURCE_EXHAUSTED when the viewer cannot join.</exception>
    internal Task ServeViewerAsync(
        SubscribeRequest request, string peer, Func<IReadOnlyList<SerializedMessage<Notification>>, CancellationToken, Task> write,
        CancellationToken cancellationToken) =>
        _viewers.ServeAsync(CheckSubscription(request), peer, write, cancellationToken);

    QueryResponse IServedModel.Query(IEnumerable<string>? properties) => Query(properties);

    ValueTask<ModifyResponse> IServedModel.ModifyAsync(ModifyRequest request, string caller, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Modify(request, caller));

    ValueTask<InvokeResponse> IServedModel.InvokeAsync(InvokeRequest request, string caller, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Invoke(request, caller));

    ValueTask<PeriodicStreamDescription> IServedModel.SetStreamRateAsync(string stream, double rateHz, string caller, CancellationToken cancellationToken) =>
        ValueTask.FromResult(SetStreamRate(stream, rateHz, caller));

    ValueTask<IReadOnlyList<AuditRecord>> IServedModel.HistoryAsync(int limit, CancellationToken cancellationToken) => ValueTask.FromResult(History(limit));

    Task IServedModel.ServeViewerAsync(
        SubscribeRequest request, string peer, Func<IReadOnlyList<SerializedMessage<Notification>>, CancellationToken, Task> write,
        CancellationToken cancellationToken) =>
        ServeViewerAsync(request, peer, write, cancellationToken);

    /// <summary>Stops the streams, ends every viewer's sequence and stops listening to the model.</summary>
    public ValueTask DisposeAsync()
    {
        Model.PropertyChanged -= OnPropertyChanged;
        _streams.Stop();
        _viewers.Close();
        lock (_gate)
        {
            _lock.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private ViewerRequest CheckSubscription(SubscribeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var properties = request.Properties.Count == 0 ? null : Choose(request.Properties).Select(p => p.Name).ToList();
        foreach (var stream in request.Streams)
        {
            _streams.Find(stream);
        }

        var deadbands = request.Deadbands.Count == 0 ? null : DeadbandFilter.Create(request.Deadbands, _deadbandTargets, properties ?? [.. _schema.Properties.Keys]);
        return _viewers.Check(request, properties, deadbands);
    }

    /// <summary>The state of each value a modify applied (or, in a dry run, would apply); called under the change lock.</summary>
    private void AddStates(ModifyResponse response)
    {
        foreach (var (name, value) in response.Applied)
        {
            response.States[name] = _states.Peek(name, value);
        }
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

            if (e is PropertyStateChangedEventArgs report)
            {
                (_reported ??= new Dictionary<string, PropertyStateChangedEventArgs>(StringComparer.Ordinal))[report.PropertyName!] = report;
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
            throw new ModelException(ModelErrorReason.NotFound,
                $"model '{Name}' has no operation '{request.Operation}'; it has: {List(_lifecycle.TransitionNames.Concat(_schema.Operations.Keys))}");
        }

        _lifecycle.CheckAllowed(operation);
        var arguments = operation.BindArguments(request.Arguments);
        object? result;
        _touched = new HashSet<string>(StringComparer.Ordinal);
        var version = _changes.Version;
        try
        {
            result = operation.Invoke(Model, arguments);
        }
        catch (Exception ex)
        {
            throw ModelErrors.From(ex, $"operation '{operation.Name}'");
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

        return new InvokeResponse { Version = version, Result = operation.ResultType is null ? null : ValueCodec.ToValue(result) };
    }

    private InvokeResponse Transition(InvokeRequest request, string caller, string action)
    {
        _touched = new HashSet<string>(StringComparer.Ordinal);
        ModelException? failure;
        try
        {
            failure = _lifecycle.Transition(Model, request.Operation, request.Arguments);
        }
        catch (ModelException)
        {
            // Refused before it ran: nothing changed.
            _touched = null;
            throw;
        }

        var touched = _touched;
        _touched = null;
        var version = Commit(touched, caller, action, _lifecycle.State);
        LogTransition(Name, request.Operation, _lifecycle.State, caller);
        return failure is null ? new InvokeResponse { Version = version } : throw failure;
    }

    /// <summary>
    /// Versions the change to <paramref name="properties"/> with each value's quality and source time,
    /// keeps it in the change log, offers it to the viewers, and audits the alarms it raised or cleared.
    /// </summary>
    private long Commit(IEnumerable<string> properties, string changedBy, string cause, LifecycleState state)
    {
        var now = Timestamp.FromDateTimeOffset(_time.GetUtcNow());
        var reported = _reported;
        _reported = null;
        List<QualityChange>? qualityChanges = null;

        // A traced caller's change carries its span on to the viewers, whose receipt joins the trace.
        var change = new Notification
        {
            Kind = Notification.Types.Kind.Change, Time = now, ChangedBy = changedBy, Cause = cause, State = state, Epoch = Epoch,
            TraceParent = RemoteModelDiagnostics.TraceParentOf(Activity.Current),
        };
        foreach (var name in properties)
        {
            var value = Read(_schema.Properties[name]);
            change.Values[name] = value;
            // Once per change for every viewer: a VALID value that changed now goes without a state.
            change.AddState(name, _states.Take(name, value, now, reported?.GetValueOrDefault(name), out var qualityChange));
            if (qualityChange is not null)
            {
                (qualityChanges ??= []).Add(qualityChange);
            }
        }

        var version = _changes.Commit(change, now);
        _viewers.Publish(change);
        RemoteModelDiagnostics.ChangesApplied.Add(1, RemoteModelDiagnostics.ModelTag(Name), new KeyValuePair<string, object?>("remotemodel.cause", cause));
        foreach (var qualityChange in qualityChanges ?? [])
        {
            _audit.QualityChanged(qualityChange, version, changedBy);
        }

        return version;
    }

    /// <summary>A span of the project's own for a caller's change to this model, when anyone traces (else null).</summary>
    private Activity? StartSpan(string operation, string caller) =>
        RemoteModelDiagnostics.Source.StartActivity(operation)?.SetTag(RemoteModelDiagnostics.ModelTagName, Name).SetTag("remotemodel.caller", caller);

    /// <summary>The model as <paramref name="viewer"/> sees it now; called under the change lock.</summary>
    private Notification Snapshot(Viewer viewer, Notification.Types.Kind kind)
    {
        var snapshot = new Notification { Kind = kind, Version = _changes.Version, Time = _changes.ChangedAt, ViewerName = viewer.Name, State = _lifecycle.State, Epoch = Epoch, Lock = _lock.Current };
        foreach (var property in _schema.Properties.Values.Where(p => viewer.Properties?.Contains(p.Name) ?? true))
        {
            var value = Read(property);
            snapshot.Values[property.Name] = value;
            snapshot.AddState(property.Name, _states.Peek(property.Name, value));
        }

        return snapshot;
    }

    /// <summary>A tick of <paramref name="stream"/>: its properties now, to the viewers that asked; called under the change lock.</summary>
    private void Sample(StreamBinding stream)
    {
        var sample = new Notification
        {
            Kind = Notification.Types.Kind.Sample,
            Version = _changes.Version,
            Time = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
            ChangedBy = ModelIdentity,
            Cause = stream.Name,
            Epoch = Epoch,
        };
        foreach (var property in stream.Properties)
        {
            var value = Read(property);
            sample.Values[property.Name] = value;
            sample.AddState(property.Name, _states.Peek(property.Name, value));
        }

        _viewers.PublishSample(stream.Name, sample);
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
        if (expected is { } version && version != _changes.Version)
        {
            throw new ModelException(ModelErrorReason.Aborted, $"model '{Name}' is at version {_changes.Version}, not the expected {version}; query it and try again");
        }
    }

    private PropertyBinding Property(string name) =>
        _schema.Properties.TryGetValue(name, out var property)
            ? property
            : throw new ModelException(ModelErrorReason.NotFound, $"model '{Name}' has no property '{name}'; it has: {List(_schema.Properties.Keys)}");

    private List<PropertyBinding> Choose(IEnumerable<string>? names)
    {
        var chosen = names?.Select(Property).ToList() ?? [];
        return chosen.Count > 0 ? chosen : [.. _schema.Properties.Values];
    }

    private static string List(IEnumerable<string> names)
    {
        var list = string.Join(", ", names);
        return list.Length == 0 ? "none" : list;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Model} lifecycle {Operation} by {Caller}: now {State}")]
    private partial void LogTransition(string model, string operation, LifecycleState state, string caller);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Model}: reading {Property} failed; it is sent as no value")]
    private partial void LogReadFailed(string model, string property, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Model}: putting {Property} back after a failed modify failed; the model may be inconsistent")]
    private partial void LogRollbackFailed(string model, string property, Exception exception);
}
