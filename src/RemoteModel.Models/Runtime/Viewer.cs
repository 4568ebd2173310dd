using RemoteModel.Models.V1;
using RemoteModel.Transport;

namespace RemoteModel.Models.Runtime;

/// <summary>
/// One subscribed viewer: what it asked for, and its own queue. Publishing into it never blocks:
/// the model's change path only enqueues (or, for LATEST, merges) and signals; the viewer's own
/// writer loop drains the queue at whatever pace its connection allows. What is queued is serialized
/// already, and shared: one change is serialized once for every viewer that gets the same filtered view.
/// </summary>
internal sealed class Viewer(
    string name, string peer, DateTimeOffset connectedAt, DeliveryMode mode, double maxRateHz,
    IReadOnlySet<string>? properties, IReadOnlySet<string> streams, int capacity)
{
    private readonly object _lock = new();
    private readonly Queue<SerializedMessage<Notification>> _queue = new();
    private readonly Dictionary<string, SerializedMessage<Notification>> _samples = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _signal = new(0, 1);
    private Notification? _merged;
    private bool _resyncPending;
    private long _sent;
    private long _resyncs;

    public string Name { get; } = name;

    public string Peer { get; } = peer;

    public DeliveryMode Mode { get; } = mode;

    public double MaxRateHz { get; } = maxRateHz;

    public IReadOnlySet<string>? Properties { get; } = properties;

    public IReadOnlySet<string> Streams { get; } = streams;

    /// <summary>
    /// Queues a change, already filtered to this viewer's properties (<see cref="Filter"/>); called on
    /// the model's change path.
    /// </summary>
    public void Offer(SerializedMessage<Notification> change)
    {
        lock (_lock)
        {
            if (Mode == DeliveryMode.Latest || MaxRateHz > 0)
            {
                // Conflating (LATEST, or changes between two rate-limited sends): the latest value of each property is kept.
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

            Signal();
        }
    }

    /// <summary>Replaces this viewer's pending sample of <paramref name="stream"/>.</summary>
    public void OfferSample(string stream, SerializedMessage<Notification> sample)
    {
        lock (_lock)
        {
            _samples[stream] = sample;
            Signal();
        }
    }

    /// <summary>What to send next: a resync is due (the caller fetches the snapshot), or the pending notifications.</summary>
    public (bool Resync, List<SerializedMessage<Notification>> Pending) Take()
    {
        Notification? merged;
        List<SerializedMessage<Notification>> pending;
        lock (_lock)
        {
            if (_resyncPending)
            {
                return (true, []);
            }

            pending = new List<SerializedMessage<Notification>>(_queue.Count + 1 + _samples.Count);
            merged = _merged;
            pending.AddRange(_queue);
            _queue.Clear();
            _merged = null;
            pending.AddRange(_samples.Values);
            _samples.Clear();
        }

        if (merged is not null)
        {
            // This viewer's own copy, no longer reachable by Offer: serialized outside the lock.
            pending.Insert(0, new SerializedMessage<Notification>(merged));
        }

        return (false, pending);
    }

    /// <summary>Forgets what is queued, now that a fresh snapshot replaces it; called on the model's change path.</summary>
    public void Resynchronised()
    {
        lock (_lock)
        {
            _queue.Clear();
            _merged = null;
            _resyncPending = false;
        }
    }

    /// <summary>The viewer fell behind its queue; what it still holds to send is stale.</summary>
    public bool ResyncPending
    {
        get
        {
            lock (_lock)
            {
                return _resyncPending;
            }
        }
    }

    public void CountSent(int count = 1) => Interlocked.Add(ref _sent, count);

    public Task WaitAsync(CancellationToken cancellationToken) => _signal.WaitAsync(cancellationToken);

    public ViewerInfo Describe() => new()
    {
        Name = Name,
        Peer = Peer,
        ConnectedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(connectedAt),
        Mode = Mode,
        NotificationsSent = Interlocked.Read(ref _sent),
        Resyncs = Interlocked.Read(ref _resyncs),
    };

    private void Signal()
    {
        if (_signal.CurrentCount == 0)
        {
            _signal.Release();
        }
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

        var filtered = new Notification { Kind = change.Kind, Version = change.Version, Time = change.Time, ChangedBy = change.ChangedBy, Cause = change.Cause, State = change.State };
        foreach (var (key, value) in change.Values)
        {
            if (properties.Contains(key))
            {
                filtered.Values[key] = value;
            }
        }

        return filtered.Values.Count > 0 || filtered.State != LifecycleState.Unspecified ? filtered : null;
    }

    private static Notification Merge(Notification? into, Notification next)
    {
        if (into is null)
        {
            return next.Clone();
        }

        foreach (var (key, value) in next.Values)
        {
            into.Values[key] = value;
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
