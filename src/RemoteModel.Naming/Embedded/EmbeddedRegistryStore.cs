using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using RemoteModel.Naming.Registry;
using RemoteModel.Naming.V1;

namespace RemoteModel.Naming.Embedded;

/// <summary>
/// The default store: the registry in this process's memory, leases timed by the injected clock,
/// static registrations kept in a file so a restart loses none.
/// </summary>
public sealed class EmbeddedRegistryStore : IRegistryStore
{
    private readonly object _gate = new();
    private readonly SortedDictionary<string, Registration> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<long, Lease> _leases = [];
    private readonly Queue<RegistryChange> _history = new();
    private readonly List<Watcher> _watchers = [];
    private readonly EmbeddedRegistryOptions _options;
    private readonly TimeProvider _time;
    private long _revision;
    private long _lastLeaseId;

    /// <summary>Creates the store, loading static registrations from <see cref="EmbeddedRegistryOptions.PersistencePath"/>.</summary>
    public EmbeddedRegistryStore(EmbeddedRegistryOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new EmbeddedRegistryOptions();
        _time = timeProvider ?? TimeProvider.System;
        foreach (var registration in StaticRegistrationFile.Load(_options.PersistencePath))
        {
            registration.Revision = ++_revision;
            _entries[registration.Name] = registration;
        }
    }

    /// <inheritdoc />
    public bool IsShared => false;

    /// <inheritdoc />
    public Task<Registration> RegisterAsync(Registration registration, TimeSpan? ttl, bool safe, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var existing = _entries.GetValueOrDefault(registration.Name);
            if (safe && existing is not null)
            {
                throw new NameTakenException(registration.Name);
            }

            var stored = registration.Clone();
            stored.Revision = ++_revision;
            stored.RegisteredAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow());
            stored.Ttl = ttl is { } t ? Duration.FromTimeSpan(t) : null;
            stored.LeaseId = ttl is { } leaseTtl ? GrantLease(stored.Name, leaseTtl) : 0;
            _entries[stored.Name] = stored;
            Publish(existing is null ? RegistryChangeKind.Registered : RegistryChangeKind.Changed, stored);
            if (stored.LeaseId == 0 || existing?.LeaseId == 0)
            {
                SaveStaticRegistrations();
            }

            return Task.FromResult(stored.Clone());
        }
    }

    /// <inheritdoc />
    public Task<TimeSpan?> KeepAliveAsync(long leaseId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_leases.TryGetValue(leaseId, out var lease))
            {
                return Task.FromResult<TimeSpan?>(null);
            }

            lease.ExpiresAt = _time.GetUtcNow() + lease.Ttl;
            lease.Timer.Change(lease.Ttl, Timeout.InfiniteTimeSpan);
            return Task.FromResult<TimeSpan?>(lease.Ttl);
        }
    }

    /// <inheritdoc />
    public Task<bool> UnregisterAsync(long leaseId, CancellationToken cancellationToken) =>
        Task.FromResult(EndLease(leaseId));

    /// <inheritdoc />
    public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(name, out var existing))
            {
                return Task.FromResult(false);
            }

            if (existing.LeaseId != 0)
            {
                return Task.FromResult(EndLease(existing.LeaseId));
            }

            _entries.Remove(name);
            Publish(RegistryChangeKind.Unregistered, existing);
            SaveStaticRegistrations();
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<Registration?> GetAsync(string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // Its own, not a copy: a stored registration is never changed (a change stores a new one).
            return Task.FromResult(_entries.GetValueOrDefault(name));
        }
    }

    /// <inheritdoc />
    public Task<RegistrySnapshot> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var matching = _entries.Values.Where(r => r.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(r => r.Clone()).ToList();
            return Task.FromResult(new RegistrySnapshot(matching, _revision));
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RegistryChange> WatchAsync(
        string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var watcher = new Watcher(prefix, _options.WatcherQueueLength);
        lock (_gate)
        {
            var oldestTold = _history.Count > 0 ? _history.Peek().Revision - 1 : _revision;
            if (afterRevision < oldestTold)
            {
                throw new RegistryHistoryLostException(
                    $"Changes after revision {afterRevision} are no longer remembered (the oldest is {oldestTold + 1}); start again from a snapshot.");
            }

            foreach (var change in _history.Where(c => c.Revision > afterRevision))
            {
                watcher.Offer(change);
            }

            _watchers.Add(watcher);
        }

        try
        {
            await foreach (var change in watcher.Changes.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return change;
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(watcher);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            foreach (var lease in _leases.Values)
            {
                lease.Timer.Dispose();
            }

            _leases.Clear();
            foreach (var watcher in _watchers)
            {
                watcher.End(null);
            }
        }

        return ValueTask.CompletedTask;
    }

    private long GrantLease(string name, TimeSpan ttl)
    {
        var lease = new Lease(this, ++_lastLeaseId, name, ttl) { ExpiresAt = _time.GetUtcNow() + ttl };
        lease.Timer = _time.CreateTimer(static state => ((Lease)state!).Expire(), lease, ttl, Timeout.InfiniteTimeSpan);
        _leases[lease.Id] = lease;
        return lease.Id;
    }

    /// <summary>Ends a lease and, if it still holds its name, that registration.</summary>
    private bool EndLease(long leaseId)
    {
        lock (_gate)
        {
            if (!_leases.Remove(leaseId, out var lease))
            {
                return false;
            }

            lease.Timer.Dispose();
            if (_entries.TryGetValue(lease.Name, out var held) && held.LeaseId == leaseId)
            {
                _entries.Remove(lease.Name);
                Publish(RegistryChangeKind.Unregistered, held);
            }

            return true;
        }
    }

    private void Publish(RegistryChangeKind kind, Registration registration)
    {
        if (kind == RegistryChangeKind.Unregistered)
        {
            // An unregistration is a change of its own, with its own revision.
            registration = registration.Clone();
            registration.Revision = ++_revision;
        }

        var change = new RegistryChange(kind, registration.Clone(), registration.Revision);
        _history.Enqueue(change);
        while (_history.Count > _options.HistoryLength)
        {
            _history.Dequeue();
        }

        foreach (var watcher in _watchers)
        {
            watcher.Offer(change);
        }
    }

    private void SaveStaticRegistrations() =>
        StaticRegistrationFile.Save(_options.PersistencePath, _entries.Values.Where(r => r.LeaseId == 0));

    private sealed class Lease(EmbeddedRegistryStore store, long id, string name, TimeSpan ttl)
    {
        public long Id { get; } = id;

        public string Name { get; } = name;

        public TimeSpan Ttl { get; } = ttl;

        public ITimer Timer { get; set; } = null!;

        public DateTimeOffset ExpiresAt { get; set; }

        public void Expire()
        {
            lock (store._gate)
            {
                // A keep-alive may have come in while this timer was firing; and a timer may fire a
                // little before the wall clock says it is due. Either way it is armed for what is left.
                var left = ExpiresAt - store._time.GetUtcNow();
                if (left <= TimeSpan.Zero)
                {
                    store.EndLease(Id);
                }
                else if (store._leases.ContainsKey(Id))
                {
                    Timer.Change(left, Timeout.InfiniteTimeSpan);
                }
            }
        }
    }

    private sealed class Watcher(string prefix, int queueLength)
    {
        private readonly Channel<RegistryChange> _changes = Channel.CreateBounded<RegistryChange>(
            new BoundedChannelOptions(queueLength) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        public ChannelReader<RegistryChange> Changes => _changes.Reader;

        public void Offer(RegistryChange change)
        {
            if (!change.Registration.Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return;
            }

            if (!_changes.Writer.TryWrite(change))
            {
                End(new RegistryHistoryLostException(
                    $"The watcher fell more than {queueLength} changes behind; start again from a snapshot."));
            }
        }

        public void End(Exception? error) => _changes.Writer.TryComplete(error);
    }
}
