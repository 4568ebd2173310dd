using RemoteModel.Naming.Registry;
using RemoteModel.Naming.V1;

namespace RemoteModel.Naming.Consul;

/// <summary>A change between two observed states: <see cref="Before"/> null for a registration, <see cref="After"/> null for its end.</summary>
internal sealed record TimelineDelta(long Index, string Name, ConsulInstance? Before, ConsulInstance? After)
{
    public RegistryChange ToChange() => new(
        Before is null ? RegistryChangeKind.Registered : After is null ? RegistryChangeKind.Unregistered : RegistryChangeKind.Changed,
        (After ?? Before)!.Registration.Clone(),
        Index);
}

/// <summary>Where a watch starts: the changes it tells first, the index it goes on from, and the history it belongs to.</summary>
internal sealed record WatchStart(IReadOnlyList<RegistryChange> Changes, long Cursor, long Epoch);

/// <summary>The changes after a watch's cursor, the index they bring it to, and a task that completes when there are more.</summary>
internal sealed record WatchBatch(IReadOnlyList<TimelineDelta> Deltas, long Latest, bool Lost, Task Advanced);

/// <summary>
/// The registry's history as this store has seen it. Consul keeps no history of a service's
/// instances, only the current ones and the <c>X-Consul-Index</c> they are as of; every health
/// query the store makes (lists, lookups, the read-back after each of its own writes, the watches'
/// blocking queries) is fed in here, and the differences between successive answers become the
/// changes watches tell, each at the index of the answer that first showed it. Changes made
/// through this store are therefore told one by one; changes made elsewhere between two answers
/// are told as one (Consul cannot tell them apart).
/// </summary>
/// <remarks>
/// Holds the latest state in full and the last <c>capacity</c> changes, from which any observed
/// state since the oldest kept change can be rebuilt. A new history (a new epoch) begins when
/// Consul's index goes backwards (a restored snapshot, a rebuilt cluster).
/// </remarks>
internal sealed class RegistryTimeline(int capacity)
{
    private readonly object _gate = new();
    private readonly List<TimelineDelta> _log = [];
    private readonly SortedSet<long> _observed = [];
    private Dictionary<string, ConsulInstance> _latest = new(StringComparer.Ordinal);
    private long _latestIndex;
    private long _floor;
    private long _epoch;
    private bool _any;
    private TaskCompletionSource _advanced = NewSignal();

    /// <summary>The index of the latest state seen, 0 before any.</summary>
    public long LatestIndex
    {
        get
        {
            lock (_gate)
            {
                return _latestIndex;
            }
        }
    }

    /// <summary>
    /// Records an answer. An answer older than the latest one is kept only as a known point when
    /// it agrees with the history; a blocking answer older than the index it waited after means
    /// Consul's index went backwards, and the history starts again from it (true is returned).
    /// </summary>
    public bool Observe(ServiceRead read, long? waitedAfter)
    {
        lock (_gate)
        {
            if (!_any)
            {
                _any = true;
                _latest = new Dictionary<string, ConsulInstance>(read.Instances, StringComparer.Ordinal);
                _latestIndex = _floor = read.Index;
                _observed.Add(read.Index);
                Signal();
                return false;
            }

            if (read.Index < _latestIndex)
            {
                if (waitedAfter is { } after && read.Index < after)
                {
                    Reset(read);
                    return true;
                }

                if (read.Index >= _floor && !_observed.Contains(read.Index) && SameState(StateAt(read.Index), read.Instances))
                {
                    _observed.Add(read.Index);
                }

                return false;
            }

            var deltas = Diff(_latest, read.Instances, read.Index);
            _latest = new Dictionary<string, ConsulInstance>(read.Instances, StringComparer.Ordinal);
            var advanced = read.Index > _latestIndex || deltas.Count > 0;
            _latestIndex = read.Index;
            _observed.Add(read.Index);
            _log.AddRange(deltas);
            Trim();
            if (advanced)
            {
                Signal();
            }

            return false;
        }
    }

    /// <summary>
    /// Where a watch of <paramref name="prefix"/> after <paramref name="after"/> starts, or null
    /// when nothing has been seen yet or <paramref name="after"/> is beyond what has been seen
    /// (the caller reads Consul and asks again).
    /// </summary>
    /// <remarks>
    /// When <paramref name="after"/> is an index this store has seen (a list it answered, the
    /// read-back of a write), the watch goes on from exactly that state. Otherwise the state at
    /// <paramref name="after"/> is inferred from the first state seen after it: an instance whose
    /// service entry was modified at or before <paramref name="after"/> was there unchanged, one
    /// created after it is new, one modified after it changed; registrations seen before
    /// <paramref name="after"/> and gone by that state are told as ended (perhaps before
    /// <paramref name="after"/>, which the watcher then never knew). Ends between
    /// <paramref name="after"/> and the oldest state still remembered cannot be told.
    /// </remarks>
    public WatchStart? Begin(string prefix, long after)
    {
        lock (_gate)
        {
            if (!_any || after > _latestIndex)
            {
                return null;
            }

            if (after > 0 && after >= _floor && _observed.Contains(after))
            {
                return new WatchStart([], after, _epoch);
            }

            var ceiling = _observed.GetViewBetween(Math.Max(after + 1, _floor), long.MaxValue).Min;
            var ceilingState = StateAt(ceiling);
            var floorIndex = after > 0 && after >= _floor ? _observed.GetViewBetween(_floor, after).Max : 0;
            var floorState = floorIndex > 0 ? StateAt(floorIndex) : null;
            var changes = new List<RegistryChange>();
            foreach (var (name, instance) in ceilingState.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                if (after <= 0 || instance.CreateIndex > after)
                {
                    changes.Add(new RegistryChange(RegistryChangeKind.Registered, instance.Registration.Clone(), ceiling));
                }
                else if (instance.ModifyIndex > after)
                {
                    changes.Add(new RegistryChange(RegistryChangeKind.Changed, instance.Registration.Clone(), ceiling));
                }
            }

            if (floorState is not null)
            {
                foreach (var (name, instance) in floorState.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal) && !ceilingState.ContainsKey(e.Key))
                    .OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    changes.Add(new RegistryChange(RegistryChangeKind.Unregistered, instance.Registration.Clone(), ceiling));
                }
            }

            return new WatchStart(changes, ceiling, _epoch);
        }
    }

    /// <summary>The changes after <paramref name="cursor"/>; lost when they are no longer all remembered or the history began again.</summary>
    public WatchBatch After(long cursor, long epoch)
    {
        lock (_gate)
        {
            if (epoch != _epoch || cursor < _floor)
            {
                return new WatchBatch([], _latestIndex, Lost: true, _advanced.Task);
            }

            var first = FirstAfter(cursor);
            var deltas = first < _log.Count ? _log.GetRange(first, _log.Count - first) : [];
            return new WatchBatch(deltas, Math.Max(cursor, _latestIndex), Lost: false, _advanced.Task);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static List<TimelineDelta> Diff(
        IReadOnlyDictionary<string, ConsulInstance> before, IReadOnlyDictionary<string, ConsulInstance> after, long index)
    {
        var deltas = new List<TimelineDelta>();
        foreach (var name in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            before.TryGetValue(name, out var was);
            after.TryGetValue(name, out var now);
            if (was is null || now is null || !was.Registration.Equals(now.Registration))
            {
                deltas.Add(new TimelineDelta(index, name, was, now));
            }
        }

        return deltas;
    }

    private static bool SameState(IReadOnlyDictionary<string, ConsulInstance> a, IReadOnlyDictionary<string, ConsulInstance> b) =>
        a.Count == b.Count && a.All(e => b.TryGetValue(e.Key, out var other) && other.Registration.Equals(e.Value.Registration));

    private void Reset(ServiceRead read)
    {
        _epoch++;
        _log.Clear();
        _observed.Clear();
        _latest = new Dictionary<string, ConsulInstance>(read.Instances, StringComparer.Ordinal);
        _latestIndex = _floor = read.Index;
        _observed.Add(read.Index);
        Signal();
    }

    /// <summary>The state at <paramref name="index"/> (at least the floor): the latest, with later changes undone.</summary>
    private Dictionary<string, ConsulInstance> StateAt(long index)
    {
        var state = new Dictionary<string, ConsulInstance>(_latest, StringComparer.Ordinal);
        for (var i = _log.Count - 1; i >= 0 && _log[i].Index > index; i--)
        {
            var delta = _log[i];
            if (delta.Before is null)
            {
                state.Remove(delta.Name);
            }
            else
            {
                state[delta.Name] = delta.Before;
            }
        }

        return state;
    }

    /// <summary>The position of the first change with an index above <paramref name="cursor"/>.</summary>
    private int FirstAfter(long cursor)
    {
        int low = 0, high = _log.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (_log[middle].Index <= cursor)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private void Trim()
    {
        if (_log.Count > capacity)
        {
            var drop = _log.Count - capacity;
            _floor = Math.Max(_floor, _log[drop - 1].Index);
            _log.RemoveRange(0, drop);
        }

        while (_observed.Count > capacity + 1 || (_observed.Count > 1 && _observed.Min < _floor))
        {
            _observed.Remove(_observed.Min);
        }
    }

    private void Signal()
    {
        var signal = _advanced;
        _advanced = NewSignal();
        signal.TrySetResult();
    }
}
