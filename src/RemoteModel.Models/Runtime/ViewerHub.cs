using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using RemoteModel.Grpc;
using RemoteModel.Models.V1;
using RemoteModel.Naming;
using RemoteModel.Grpc.Telemetry;

namespace RemoteModel.Models.Runtime;

/// <summary>A checked subscription request: what a viewer asked for, with its name chosen, and where it resumes (an empty epoch: it does not).</summary>
internal sealed record ViewerRequest(
    string Name, DeliveryMode Mode, double MaxRateHz, IReadOnlySet<string>? Properties, IReadOnlySet<string> Streams, DeadbandFilter? Deadbands,
    string ResumeEpoch, long ResumeAfterVersion);

/// <summary>
/// A model's viewers: joining (with a snapshot taken under the change lock, so no change falls
/// between it and the viewer's first CHANGE), leaving, fan-out of each change and sample, and the
/// RESYNC of a viewer that fell behind, and resuming: a viewer that names the host's epoch and a
/// version whose later changes the change log still holds gets RESUMED and exactly those changes
/// instead of a snapshot, else a RESYNC saying why. Fan-out only enqueues: the <see cref="ViewerPump"/> writes at
/// each viewer's own pace, so neither the model nor a fast viewer ever waits for a slow one.
/// </summary>
internal sealed partial class ViewerHub
{
    /// <summary>Where a viewer keeps its pending LOCK notification beside its pending samples: no stream can have this name.</summary>
    private const string LockSlot = "#lock";

    private static readonly IReadOnlySet<string> NoStreams = new HashSet<string>();

    private readonly string _model;
    private readonly ModelHostOptions _options;
    private readonly object _gate;
    private readonly Func<Viewer, Notification.Types.Kind, Notification> _snapshot;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IViewerDirectory? _directory;
    private readonly ConcurrentDictionary<string, Viewer> _viewers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlySet<string>> _filters = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closed = new();
    private readonly ViewerPump _pump;
    private readonly KeyValuePair<string, object?> _modelTag;
    private readonly Func<long, IReadOnlyList<Notification>?> _changesAfter;

    /// <param name="model">The model's name, for messages and the log.</param>
    /// <param name="options">The viewer limits.</param>
    /// <param name="gate">The host's change lock, held while a snapshot is taken.</param>
    /// <param name="snapshot">Builds a viewer's snapshot of the model; called under <paramref name="gate"/>.</param>
    /// <param name="timeProvider">The clock of rate limits and join times.</param>
    /// <param name="logger">Where joins, leaves and resyncs are logged.</param>
    /// <param name="directory">Where viewers are listed while connected, if anywhere.</param>
    /// <param name="epoch">The host's epoch, which a resuming viewer must name.</param>
    /// <param name="changesAfter">The committed changes after a version, oldest first, or null when they are no longer all held; called under <paramref name="gate"/>.</param>
    public ViewerHub(
        string model, ModelHostOptions options, object gate, Func<Viewer, Notification.Types.Kind, Notification> snapshot, TimeProvider timeProvider,
        ILogger logger, IViewerDirectory? directory, string epoch = "", Func<long, IReadOnlyList<Notification>?>? changesAfter = null)
    {
        Epoch = epoch;
        _changesAfter = changesAfter ?? (_ => null);
        _model = model;
        _modelTag = RemoteModelDiagnostics.ModelTag(model);
        _options = options;
        _gate = gate;
        _snapshot = snapshot;
        _time = timeProvider;
        _logger = logger;
        _directory = directory;
        _pump = new ViewerPump(model, Resynchronise, timeProvider);
        ViewerQueueLength.Observe(this, model);
    }

    /// <summary>The epoch a resuming viewer must name: the host's, or a relay's source's as of its last snapshot (set under the change lock).</summary>
    public string Epoch { get; set; }

    /// <summary>How many viewers are subscribed.</summary>
    public int Count => _viewers.Count;

    /// <summary>How many changes wait in its viewers' queues now.</summary>
    public long Queued => _viewers.Values.Sum(viewer => (long)viewer.Queued);

    /// <summary>The viewers subscribed now, by name.</summary>
    public IReadOnlyList<ViewerInfo> Describe() => [.. _viewers.Values.Select(v => v.Describe()).OrderBy(v => v.Name, StringComparer.Ordinal)];

    /// <summary>
    /// Checks the viewer's own part of a request; <paramref name="properties"/> are the (checked)
    /// properties it asked for, null for all, and <paramref name="deadbands"/> its (checked) deadbands.
    /// </summary>
    /// <exception cref="ModelException">INVALID_ARGUMENT for a bad rate or viewer name.</exception>
    public ViewerRequest Check(SubscribeRequest request, IEnumerable<string>? properties, DeadbandFilter? deadbands = null)
    {
        if (!double.IsFinite(request.MaxRateHz) || request.MaxRateHz < 0 || request.MaxRateHz > _options.MaxViewerRateHz)
        {
            throw new ModelException(ModelErrorReason.InvalidArgument, $"max_rate_hz must be within 0 (unlimited)..{_options.MaxViewerRateHz}, not {request.MaxRateHz}");
        }

        if (request.ViewerName.Length > 0 && (request.ViewerName.Contains('/') || NameRules.Problem(request.ViewerName) is not null))
        {
            throw new ModelException(ModelErrorReason.InvalidArgument,
                $"viewer name '{request.ViewerName}' is not one name segment: use letters, digits, '.', '_' and '-'");
        }

        var name = request.ViewerName.Length > 0 ? request.ViewerName : $"viewer-{Random.Shared.Next():x8}";
        return new ViewerRequest(name, request.Mode, request.MaxRateHz, properties is null ? null : CanonicalFilter(properties),
            request.Streams.Count == 0 ? NoStreams : request.Streams.ToHashSet(StringComparer.Ordinal), deadbands, request.ResumeEpoch, request.ResumeAfterVersion);
    }

    /// <summary>
    /// Offers a committed change to every viewer, each filtered to what it asked for; serialized once
    /// for all viewers that get the same view of it (the same filter; a viewer's deadbands make its
    /// own view only when they hold something back). Viewers that were idle go to the pump. Called
    /// under the change lock, so changes are offered in version order.
    /// </summary>
    public void Publish(Notification change)
    {
        SerializedMessage<Notification>? whole = null;
        Dictionary<IReadOnlySet<string>, SerializedMessage<Notification>?>? views = null;
        foreach (var viewer in _viewers.Values)
        {
            SerializedMessage<Notification>? view;
            if (viewer.Properties is not { } properties)
            {
                view = whole ??= new SerializedMessage<Notification>(change);
            }
            else
            {
                views ??= new Dictionary<IReadOnlySet<string>, SerializedMessage<Notification>?>(ReferenceEqualityComparer.Instance);
                if (!views.TryGetValue(properties, out view))
                {
                    view = Viewer.Filter(change, properties) is { } filtered ? new SerializedMessage<Notification>(filtered) : null;
                    views[properties] = view;
                }
            }

            if (view is not null && viewer.Deadbands is { } deadbands)
            {
                var own = deadbands.Apply(view.Message);
                view = own is null ? null : ReferenceEquals(own, view.Message) ? view : new SerializedMessage<Notification>(own);
            }

            if (view is not null && viewer.Offer(view))
            {
                _pump.Schedule(viewer);
            }
        }
    }

    /// <summary>Offers a sample of <paramref name="stream"/> to the viewers that asked for it; serialized once, and only when someone did.</summary>
    public void PublishSample(string stream, Notification sample)
    {
        SerializedMessage<Notification>? serialized = null;
        foreach (var viewer in _viewers.Values)
        {
            if (viewer.Streams.Contains(stream) && viewer.OfferSample(stream, serialized ??= new SerializedMessage<Notification>(sample)))
            {
                _pump.Schedule(viewer);
            }
        }
    }

    /// <summary>
    /// Offers a LOCK notification to every viewer, whatever it subscribed to. Like a sample, it is
    /// conflated: a viewer still writing the previous one gets only the newest, the lock as it is now.
    /// </summary>
    public void PublishLock(Notification notification)
    {
        SerializedMessage<Notification>? serialized = null;
        foreach (var viewer in _viewers.Values)
        {
            if (viewer.OfferSample(LockSlot, serialized ??= new SerializedMessage<Notification>(notification)))
            {
                _pump.Schedule(viewer);
            }
        }
    }

    /// <summary>
    /// The viewer's life: it joins, its snapshot is written, and from then on the pump writes what is
    /// queued for it, until its call ends or the hub is closed.
    /// </summary>
    /// <exception cref="ModelException">ALREADY_EXISTS or RESOURCE_EXHAUSTED when the viewer cannot join.</exception>
    public async Task ServeAsync(
        ViewerRequest request, string peer, Func<IReadOnlyList<SerializedMessage<Notification>>, CancellationToken, Task> write,
        CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        var viewer = new Viewer(request.Name, peer, _time.GetUtcNow(), request.Mode, request.MaxRateHz,
            request.Properties, request.Streams, _options.ViewerQueueCapacity)
        {
            Write = write,
            Token = linked.Token,
            Deadbands = request.Deadbands,
        };
        List<SerializedMessage<Notification>> start;
        lock (_gate)
        {
            if (_viewers.Count >= _options.MaxViewers)
            {
                throw new ModelException(ModelErrorReason.ResourceExhausted, $"model '{_model}' has its maximum of {_options.MaxViewers} viewers");
            }

            if (!_viewers.TryAdd(viewer.Name, viewer))
            {
                // A viewer resuming under its own name after its connection dropped, before the server noticed: it takes its own place.
                if (request.ResumeEpoch.Length == 0 || !_viewers.TryGetValue(viewer.Name, out var stale))
                {
                    throw new ModelException(ModelErrorReason.AlreadyExists, $"a viewer named '{viewer.Name}' is already subscribed to model '{_model}'");
                }

                stale.End();
                _viewers[viewer.Name] = viewer;
                LogViewerReplaced(_model, viewer.Name, stale.Peer, viewer.Peer);
            }

            start = Start(viewer, request);
        }

        LogViewerJoined(_model, viewer.Name, viewer.Peer, viewer.Mode, viewer.Properties is null ? "all" : string.Join(",", viewer.Properties));
        RemoteModelDiagnostics.ViewersConnected.Add(1, _modelTag);
        var listing = _directory?.Enter(_model, viewer.Describe());
        var reason = "disconnected";
        try
        {
            using (linked.Token.Register(static state => ((Viewer)state!).End(), viewer))
            {
                try
                {
                    // Only the count outlives the write: an idle viewer's snapshot is not kept for the life of its call.
                    var startCount = start.Count;
                    await write(start, linked.Token).ConfigureAwait(false);
                    _pump.Finish(viewer, startCount);
                }
                catch (Exception ex)
                {
                    viewer.End(ex is OperationCanceledException || linked.IsCancellationRequested ? null : ex);
                }

                await viewer.Ended.ConfigureAwait(false);
            }

            if (_closed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
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

            RemoteModelDiagnostics.ViewersConnected.Add(-1, _modelTag);
            var info = viewer.Describe();
            LogViewerLeft(_model, viewer.Name, viewer.Peer, reason, info.NotificationsSent, info.Resyncs);
        }
    }

    /// <summary>
    /// An in-process viewer: its stream is a channel of one batch, so a reader that has not taken the
    /// last batch yet is a busy stream, as a full connection is.
    /// </summary>
    public async IAsyncEnumerable<Notification> ReadInProcessAsync(
        ViewerRequest request, string peer, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batches = Channel.CreateBounded<SerializedMessage<Notification>[]>(1);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var serving = ServeAsync(request, peer, (batch, token) => batches.Writer.WriteAsync([.. batch], token).AsTask(), reading.Token);
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

    /// <summary>
    /// Sends every viewer a fresh RESYNC snapshot, saying <paramref name="reason"/>, in place of what it
    /// had queued: the model's state was replaced as a whole (a relay's source restarted, or no longer
    /// held what the relay missed). Called under the change lock.
    /// </summary>
    public void ResynchroniseAll(Notification.Types.ResyncReason reason)
    {
        foreach (var viewer in _viewers.Values)
        {
            var resync = SnapshotFor(viewer, Notification.Types.Kind.Resync);
            resync.ResyncReason = reason;
            if (viewer.Resync(resync))
            {
                _pump.Schedule(viewer);
            }
        }

        if (!_viewers.IsEmpty)
        {
            LogAllResynced(_model, _viewers.Count, reason);
            RemoteModelDiagnostics.Resyncs.Add(_viewers.Count, _modelTag);
        }
    }

    /// <summary>Ends every viewer's stream (the model is removed).</summary>
    public void Close()
    {
        ViewerQueueLength.Forget(this);
        _closed.Cancel();
    }

    /// <summary>
    /// What a joining viewer is sent first: a SNAPSHOT; or, resuming, RESUMED and the changes it
    /// missed (as it views them), or a RESYNC snapshot saying why it cannot resume. Called under the change lock.
    /// </summary>
    private List<SerializedMessage<Notification>> Start(Viewer viewer, ViewerRequest request)
    {
        if (request.ResumeEpoch.Length == 0)
        {
            return [new SerializedMessage<Notification>(SnapshotFor(viewer, Notification.Types.Kind.Snapshot))];
        }

        var missed = request.ResumeEpoch == Epoch ? _changesAfter(request.ResumeAfterVersion) : null;
        if (missed is null)
        {
            var resync = SnapshotFor(viewer, Notification.Types.Kind.Resync);
            resync.ResyncReason = request.ResumeEpoch == Epoch ? Notification.Types.ResyncReason.HistoryGone : Notification.Types.ResyncReason.EpochChanged;
            LogViewerNotResumed(_model, viewer.Name, request.ResumeEpoch, request.ResumeAfterVersion, resync.ResyncReason, resync.Version);
            return [new SerializedMessage<Notification>(resync)];
        }

        var start = new List<SerializedMessage<Notification>>(missed.Count + 1)
        {
            new(new Notification
            {
                Kind = Notification.Types.Kind.Resumed, Version = request.ResumeAfterVersion, Epoch = Epoch, ViewerName = viewer.Name,
                Time = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
            }),
        };
        foreach (var change in missed)
        {
            if (viewer.View(change) is { } view)
            {
                start.Add(new SerializedMessage<Notification>(view));
            }
        }

        LogViewerResumed(_model, viewer.Name, request.ResumeAfterVersion, missed.Count);
        return start;
    }

    /// <summary>A snapshot for <paramref name="viewer"/>, whose deadbands measure from it; called under the change lock.</summary>
    private Notification SnapshotFor(Viewer viewer, Notification.Types.Kind kind)
    {
        var snapshot = _snapshot(viewer, kind);
        viewer.Deadbands?.Seed(snapshot);
        return snapshot;
    }

    /// <summary>Writes a fresh RESYNC snapshot in place of what a viewer that fell behind had queued.</summary>
    private void Resynchronise(Viewer viewer)
    {
        Notification resync;
        lock (_gate)
        {
            resync = SnapshotFor(viewer, Notification.Types.Kind.Resync);
            resync.ResyncReason = Notification.Types.ResyncReason.FellBehind;
            viewer.Resynchronised(new SerializedMessage<Notification>(resync));
        }

        LogViewerResynced(_model, viewer.Name, resync.Version);
        RemoteModelDiagnostics.Resyncs.Add(1, _modelTag);
    }

    /// <summary>One set instance for every viewer asking for the same properties, so a change is filtered (and serialized) once for all of them.</summary>
    private IReadOnlySet<string> CanonicalFilter(IEnumerable<string> names)
    {
        var set = names.ToHashSet(StringComparer.Ordinal);
        return _filters.GetOrAdd(string.Join('\n', set.Order(StringComparer.Ordinal)), set);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "viewer joined {Model}: {Viewer} from {Peer}, {Mode}, properties {Properties}")]
    private partial void LogViewerJoined(string model, string viewer, string peer, DeliveryMode mode, string properties);

    [LoggerMessage(Level = LogLevel.Information, Message = "viewer left {Model}: {Viewer} from {Peer} ({Reason}), {NotificationsSent} notifications, {Resyncs} resyncs")]
    private partial void LogViewerLeft(string model, string viewer, string peer, string reason, long notificationsSent, long resyncs);

    [LoggerMessage(Level = LogLevel.Information, Message = "viewer {Viewer} of {Model} from {OldPeer} is replaced by its resumption from {Peer}")]
    private partial void LogViewerReplaced(string model, string viewer, string oldPeer, string peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "viewer {Viewer} of {Model} resumed after version {Version}: {Missed} missed changes replayed")]
    private partial void LogViewerResumed(string model, string viewer, long version, int missed);

    [LoggerMessage(Level = LogLevel.Information, Message = "viewer {Viewer} of {Model} asked to resume after {Epoch}/{Version} and is resynchronised at version {Now} instead: {Reason}")]
    private partial void LogViewerNotResumed(string model, string viewer, string epoch, long version, Notification.Types.ResyncReason reason, long now);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} viewers of {Model} are resynchronised ({Reason}): the model's state was replaced")]
    private partial void LogAllResynced(string model, int count, Notification.Types.ResyncReason reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "viewer {Viewer} of {Model} fell behind its queue and is resynchronised at version {Version}")]
    private partial void LogViewerResynced(string model, string viewer, long version);
}
