using RemoteModel.Grpc;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;

namespace RemoteModel.Models.Runtime;

/// <summary>
/// One subscribed viewer: what it asked for, its own queue, and where its notifications are written.
/// Publishing into it never blocks: the model's change path only enqueues (or, for LATEST, merges)
/// and, when the viewer was idle, hands it to the <see cref="ViewerPump"/>, which writes what is
/// queued at whatever pace the viewer's connection allows. What is queued is serialized already,
/// and shared: one change is serialized once for every viewer that gets the same filtered view.
/// </summary>
/// <remarks>
/// A viewer is idle (nothing to write), ready (waiting for the pump) or busy (a write of its is
/// under way, or, rate-limited, it waits out its interval). Only an idle viewer is handed to the
/// pump, so a viewer is written by one writer at a time, in order, and a busy one is never waited for.
/// </remarks>
internal sealed class Viewer(
    string name, string peer, DateTimeOffset connectedAt, DeliveryMode mode, double maxRateHz,
    IReadOnlySet<string>? properties, IReadOnlySet<string> streams, int capacity)
{
    /// <summary>The most notifications written with one flush; a viewer with more goes to the back of the pump's queue for the rest.</summary>
    internal const int BatchSize = 64;

    private readonly object _lock = new();
    private readonly Queue<SerializedMessage<Notification>> _queue = new();
    // Most viewers never ask for a periodic stream: made on the first sample, as are idle viewers by the thousand.
    private Dictionary<string, SerializedMessage<Notification>>? _samples;
    private readonly List<SerializedMessage<Notification>> _batch = [];
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Notification? _merged;
    private bool _resyncPending;

    // Busy until its snapshot is written: changes made meanwhile queue up behind it.
    private DeliveryState _state = DeliveryState.Busy;
    private long _sent;
    private long _resyncs;

    private enum DeliveryState
    {
        Idle,
        Ready,
        Busy,
    }

    public string Name { get; } = name;

    public string Peer { get; } = peer;

    public DeliveryMode Mode { get; } = mode;

    public IReadOnlySet<string>? Properties { get; } = properties;

    public IReadOnlySet<string> Streams { get; } = streams;

    /// <summary>The viewer's deadbands, null when it asked for none.</summary>
    public DeadbandFilter? Deadbands { get; init; }

    /// <summary>The least time between two writes: none unless the viewer asked for a maximum rate.</summary>
    public TimeSpan Interval { get; } = maxRateHz > 0 ? TimeSpan.FromSeconds(1 / maxRateHz) : TimeSpan.Zero;

    /// <summary>Writes a batch to the viewer's stream; the batch may be reused once the returned task completes.</summary>
    public required Func<IReadOnlyList<SerializedMessage<Notification>>, CancellationToken, Task> Write { get; init; }

    /// <summary>Fires when the viewer's call ends (it disconnected, its deadline passed, the server stops) or the model is removed.</summary>
    public required CancellationToken Token { get; init; }

    /// <summary>Completes when the viewer's call is over, or faults with the error its stream failed with.</summary>
    public Task Ended => _ended.Task;

    public bool HasEnded => _ended.Task.IsCompleted;

    /// <summary>How many changes wait in its queue now (a conflated viewer's merged change and pending samples aside).</summary>
    public int Queued
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>
    /// Queues a change, already filtered to this viewer's properties (<see cref="Filter"/>); called on
    /// the model's change path. True when the viewer was idle and is now ready: the caller hands it to the pump.
    /// </summary>
    public bool Offer(SerializedMessage<Notification> change)
    {
        lock (_lock)
        {
            if (Mode == DeliveryMode.Latest || Interval > TimeSpan.Zero)
            {
                // Conflating (LATEST, or changes between two rate-limited writes): the latest value of each property is kept.
                _merged = Merge(_merged, change.Message);
            }
            else if (_resyncPending)
            {
                // The coming resync snapshot covers it.
            }
            else if (_queue.Count >= capacity)
            {
                _queue.Clear();
                _merged = null;
                _resyncPending = true;
                Interlocked.Increment(ref _resyncs);
            }
            else
            {
                _queue.Enqueue(change);
            }

            return BecomeReady();
        }
    }

    /// <summary>Replaces this viewer's pending sample of <paramref name="stream"/>; true as for <see cref="Offer"/>.</summary>
    public bool OfferSample(string stream, SerializedMessage<Notification> sample)
    {
        lock (_lock)
        {
            (_samples ??= new(StringComparer.Ordinal))[stream] = sample;
            return BecomeReady();
        }
    }

    /// <summary>
    /// The pump's turn: the next batch to write (the viewer is busy until <see cref="Finish"/>), or
    /// null when it fell behind and a resync snapshot must come first (<see cref="Resynchronised"/>).
    /// </summary>
    public List<SerializedMessage<Notification>>? Take()
    {
        Notification? merged;
        lock (_lock)
        {
            _state = DeliveryState.Busy;
            if (_resyncPending)
            {
                return null;
            }

            merged = _merged;
            _merged = null;
            while (_batch.Count < BatchSize && _queue.TryDequeue(out var change))
            {
                _batch.Add(change);
            }

            if (_samples is { Count: > 0 })
            {
                _batch.AddRange(_samples.Values);
                _samples.Clear();
            }
        }

        if (merged is not null)
        {
            // This viewer's own copy, no longer reachable by Offer: serialized outside the lock.
            _batch.Insert(0, new SerializedMessage<Notification>(merged));
        }

        return _batch;
    }

    /// <summary>Replaces what is queued by <paramref name="snapshot"/>, a fresh RESYNC; called under the model's change lock.</summary>
    public void Resynchronised(SerializedMessage<Notification> snapshot)
    {
        lock (_lock)
        {
            _queue.Clear();
            _merged = null;
            _resyncPending = false;
            _queue.Enqueue(snapshot);
        }
    }

    /// <summary>
    /// Replaces what is queued by <paramref name="snapshot"/>, a fresh RESYNC of this viewer's own
    /// (changes merged into it later, for a conflating viewer), because the model's state was
    /// replaced as a whole; called under the model's change lock. True as for <see cref="Offer"/>.
    /// </summary>
    public bool Resync(Notification snapshot)
    {
        lock (_lock)
        {
            if (Mode == DeliveryMode.Latest || Interval > TimeSpan.Zero)
            {
                // Conflating: later changes merge into it, as into any pending notification.
                _queue.Clear();
                _resyncPending = false;
                _merged = snapshot;
            }
            else
            {
                Resynchronised(new SerializedMessage<Notification>(snapshot));
            }

            Interlocked.Increment(ref _resyncs);
            return BecomeReady();
        }
    }

    /// <summary>A write (or its interval) is over: true when more is queued and the viewer is ready again, false when it is idle.</summary>
    public bool Finish(int written)
    {
        Interlocked.Add(ref _sent, written);
        _batch.Clear();
        lock (_lock)
        {
            _state = DeliveryState.Idle;
            return !HasEnded && BecomeReady();
        }
    }

    /// <summary>Ends the viewer's call: normally, or with <paramref name="error"/>.</summary>
    public void End(Exception? error = null)
    {
        if (error is null)
        {
            _ended.TrySetResult();
        }
        else
        {
            _ended.TrySetException(error);
        }
    }

    public ViewerInfo Describe() => new()
    {
        Name = Name,
        Peer = Peer,
        ConnectedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(connectedAt),
        Mode = Mode,
        NotificationsSent = Interlocked.Read(ref _sent),
        Resyncs = Interlocked.Read(ref _resyncs),
    };

    private bool BecomeReady()
    {
        if (_state != DeliveryState.Idle || (_queue.Count == 0 && _merged is null && (_samples is null || _samples.Count == 0) && !_resyncPending))
        {
            return false;
        }

        _state = DeliveryState.Ready;
        return true;
    }

    /// <summary>
    /// <paramref name="change"/> as a viewer asking for <paramref name="properties"/> (null: all) gets
    /// it, or null when none of them changed (and the lifecycle state did not either).
    /// </summary>
    public static Notification? Filter(Notification change, IReadOnlySet<string>? properties)
    {
        if (properties is null)
        {
            return change;
        }

        var filtered = new Notification
        {
            Kind = change.Kind, Version = change.Version, Time = change.Time, ChangedBy = change.ChangedBy, Cause = change.Cause, State = change.State, Epoch = change.Epoch,
        };
        foreach (var (key, value) in change.Values)
        {
            if (properties.Contains(key))
            {
                filtered.Values[key] = value;
                if (change.States.TryGetValue(key, out var state))
                {
                    filtered.States[key] = state;
                }
            }
        }

        return filtered.Values.Count > 0 || filtered.State != LifecycleState.Unspecified ? filtered : null;
    }

    /// <summary>
    /// <paramref name="change"/> as this viewer gets it: filtered to its properties, then to its
    /// deadbands; null when nothing in it is for this viewer. Called under the model's change lock.
    /// </summary>
    public Notification? View(Notification change)
    {
        var filtered = Filter(change, Properties);
        return filtered is not null && Deadbands is { } deadbands ? deadbands.Apply(filtered) : filtered;
    }

    private static Notification Merge(Notification? into, Notification next)
    {
        if (into is null)
        {
            return next.Clone();
        }

        // The merged notification takes the later time, which would change what an absent state says
        // of a value only the earlier change carried: such a value keeps its state explicitly.
        if (!Equals(into.Time, next.Time))
        {
            foreach (var key in into.Values.Keys)
            {
                if (!next.Values.ContainsKey(key) && !into.States.ContainsKey(key))
                {
                    into.States[key] = NotificationStates.Implied(into.Time);
                }
            }
        }

        foreach (var (key, value) in next.Values)
        {
            into.Values[key] = value;
            if (next.States.TryGetValue(key, out var state))
            {
                into.States[key] = state;
            }
            else
            {
                into.States.Remove(key);
            }
        }

        into.Version = next.Version;
        into.Time = next.Time;
        into.ChangedBy = next.ChangedBy;
        into.Cause = next.Cause;
        if (next.State != LifecycleState.Unspecified)
        {
            into.State = next.State;
        }

        return into;
    }
}
