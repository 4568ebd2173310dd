using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteModel.Naming.Registry;
using RemoteModel.Naming.V1;

namespace RemoteModel.Naming.Consul;

/// <summary>
/// The registry in Consul, through an agent's HTTP API. Every registration is one instance of the
/// Consul service <see cref="ConsulRegistryOptions.ServiceName"/>: its ID is the registration's
/// name, its tags are the registration's tags and <c>kind:&lt;kind&gt;</c>, its address and port
/// come from the first endpoint, and its metadata holds the registration's metadata with the
/// store's reserved <c>rm-</c> keys (kind, endpoints, lease, TTL, registration time). A leased
/// registration has a TTL check that Consul turns critical when the TTL passes unrenewed; a
/// critical registration is gone for the registry, and Consul deregisters it after
/// <see cref="ConsulRegistryOptions.DeregisterCriticalServiceAfter"/>. A static one has no check.
/// Revisions are Consul's Raft indexes: a registration's is its service entry's
/// <c>ModifyIndex</c>; a list's is the <c>X-Consul-Index</c> of the health query.
/// </summary>
/// <remarks>
/// <para>Where Consul's model differs from the registry's, the store does this:</para>
/// <list type="bullet">
/// <item>Consul grants no lease ids. The store makes one (a random positive 63-bit number) per
/// leased registration and keeps it in the instance's metadata; a keep-alive passes the TTL check
/// <c>service:&lt;name&gt;</c> only while that instance still carries the lease and the check is
/// not critical, so an expired lease is never revived and a replaced registration is never renewed
/// by its old lease.</item>
/// <item>Consul has no compare-and-set on agent services: a safe registration checks for a passing
/// instance and then registers. Safe registrations through one store are serialized; two stores
/// racing for the same name can both succeed (the later one wins).</item>
/// <item>Services belong to the agent they were registered through; keep-alives, unregistration and
/// removal work through that agent only (see <see cref="ConsulRegistryOptions.Address"/>).</item>
/// <item>Consul keeps no history. A watch tells the differences between successive answers of
/// Consul's blocking queries, and those between the answers this store itself has seen (so
/// changes made through this store are told one by one); see <see cref="WatchAsync"/>.</item>
/// </list>
/// <para>Names must be usable as Consul service IDs in URLs: no empty, "." or ".." segments and no
/// control characters. Metadata must fit Consul's limits (64 pairs with the reserved ones, keys of
/// at most 128 characters from A-Z a-z 0-9 _ -, values of at most 512 bytes); a registration that
/// does not is refused with <see cref="ArgumentException"/> before anything is sent.</para>
/// </remarks>
public sealed class ConsulRegistryStore : IRegistryStore
{
    private readonly ConsulRegistryOptions _options;
    private readonly ConsulHttp _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RegistryTimeline _timeline;
    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly ConcurrentDictionary<long, LocalLease> _leases = new();
    private readonly CancellationTokenSource _disposed = new();

    /// <summary>Creates a store over the Consul agent <paramref name="options"/> names; nothing is sent until it is used.</summary>
    /// <param name="options">The agent, the Consul service, the ACL token, the limits. Copied: later changes do not reach the store.</param>
    /// <param name="handler">The HTTP handler requests go through (tests record or answer them); a new <see cref="SocketsHttpHandler"/> by default. Not disposed by the store.</param>
    /// <param name="timeProvider">The clock that stamps <see cref="Registration.RegisteredAt"/> and times leases locally; the system clock by default.</param>
    /// <param name="logger">Where Consul's failures are logged (never the token).</param>
    /// <exception cref="ArgumentException">An option cannot work.</exception>
    public ConsulRegistryStore(
        ConsulRegistryOptions options, HttpMessageHandler? handler = null, TimeProvider? timeProvider = null, ILogger<ConsulRegistryStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<ConsulRegistryStore>.Instance;
        _http = new ConsulHttp(_options, handler, _logger);
        _timeline = new RegistryTimeline(_options.HistoryCapacity);
    }

    /// <inheritdoc />
    /// <remarks>
    /// <c>PUT /v1/agent/service/register?replace-existing-checks=true</c> (so a static registration
    /// replacing a leased one drops its TTL check), then a health query that reads the instance back
    /// for its <c>ModifyIndex</c>. The agent syncs the catalog before it answers. A TTL is kept to
    /// the millisecond.
    /// </remarks>
    public async Task<Registration> RegisterAsync(Registration registration, TimeSpan? ttl, bool safe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        if (ttl is { } requested && requested <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "A TTL must be positive; a static registration has none.");
        }

        var name = registration.Name;
        var now = _time.GetUtcNow();
        var leaseId = ttl is null ? 0 : Random.Shared.NextInt64(1, long.MaxValue);
        var body = ConsulMapping.ToConsul(registration, _options, ttl, leaseId, now);
        using var scope = Linked(cancellationToken);
        await _writes.WaitAsync(scope.Token);
        try
        {
            if (safe && (await ReadAsync(scope.Token)).Instances.ContainsKey(name))
            {
                throw new NameTakenException(name);
            }

            await _http.RegisterAsync(body, scope.Token);
            foreach (var (oldLease, old) in _leases.Where(l => l.Value.Name == name))
            {
                _leases.TryRemove(new KeyValuePair<long, LocalLease>(oldLease, old));
            }

            if (ttl is { } leaseTtl)
            {
                _leases[leaseId] = new LocalLease(name, leaseTtl, now + leaseTtl);
            }

            var after = await ReadAsync(scope.Token);
            if (after.Instances.TryGetValue(name, out var stored) && stored.Registration.LeaseId == leaseId)
            {
                return stored.Registration.Clone();
            }

            _logger.LogWarning(
                "Consul at {Address} does not show '{Name}' as passing right after registering it; the registration is returned as sent.",
                _options.DisplayAddress, name);
            return ConsulMapping.Expected(body, after.Index);
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Null, without passing the check, when the lease's TTL has passed by this store's clock, when
    /// the agent no longer has the instance, when the instance now carries another lease, or when
    /// its check is critical (Consul would otherwise bring an expired registration back).
    /// Otherwise <c>PUT /v1/agent/check/pass/service:&lt;name&gt;</c>. A lease granted by another
    /// store is found among the agent's services by its metadata.
    /// </remarks>
    public async Task<TimeSpan?> KeepAliveAsync(long leaseId, CancellationToken cancellationToken)
    {
        if (leaseId == 0)
        {
            return null;
        }

        using var scope = Linked(cancellationToken);
        var known = _leases.TryGetValue(leaseId, out var lease);
        if (known && _time.GetUtcNow() > lease!.ExpiresAt)
        {
            _leases.TryRemove(leaseId, out _);
            return null;
        }

        var name = known ? lease!.Name : await _http.FindLeaseHolderAsync(leaseId, scope.Token);
        if (name is null)
        {
            return null;
        }

        var local = await _http.LocalServiceAsync(name, scope.Token);
        if (local is null || local.LeaseId != leaseId || local.Critical || local.Ttl is not { } ttl)
        {
            _leases.TryRemove(leaseId, out _);
            return null;
        }

        var renewedAt = _time.GetUtcNow();
        if (!await _http.PassAsync(ConsulMapping.CheckIdOf(name), scope.Token))
        {
            _leases.TryRemove(leaseId, out _);
            return null;
        }

        _leases[leaseId] = new LocalLease(name, ttl, renewedAt + ttl);
        return ttl;
    }

    /// <inheritdoc />
    /// <remarks>Deregisters the instance only while it still carries this lease. An expired one (critical check) is deregistered too, and false is returned.</remarks>
    public async Task<bool> UnregisterAsync(long leaseId, CancellationToken cancellationToken)
    {
        if (leaseId == 0)
        {
            return false;
        }

        using var scope = Linked(cancellationToken);
        await _writes.WaitAsync(scope.Token);
        try
        {
            var known = _leases.TryRemove(leaseId, out var lease);
            var name = known ? lease!.Name : await _http.FindLeaseHolderAsync(leaseId, scope.Token);
            if (name is null)
            {
                return false;
            }

            var local = await _http.LocalServiceAsync(name, scope.Token);
            if (local is null || local.LeaseId != leaseId)
            {
                return false;
            }

            var alive = !local.Critical && !(known && _time.GetUtcNow() > lease!.ExpiresAt);
            var removed = await _http.DeregisterAsync(name, scope.Token);
            await ReadAsync(scope.Token);
            return alive && removed;
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// <c>PUT /v1/agent/service/deregister/:name</c>. False when the agent has no such instance, or
    /// only an expired one (which is deregistered all the same).
    /// </remarks>
    /// <exception cref="InvalidOperationException">The name is registered through another Consul agent, which alone can remove it.</exception>
    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ConsulMapping.ValidateName(name, nameof(name));
        using var scope = Linked(cancellationToken);
        await _writes.WaitAsync(scope.Token);
        try
        {
            var local = await _http.LocalServiceAsync(name, scope.Token);
            if (local is null)
            {
                if ((await ReadAsync(scope.Token)).Instances.TryGetValue(name, out var elsewhere))
                {
                    throw new InvalidOperationException(
                        $"'{name}' is registered through the Consul agent of node '{elsewhere.Node}', not through {_options.DisplayAddress}; only that agent can remove it.");
                }

                return false;
            }

            foreach (var (leaseId, lease) in _leases.Where(l => l.Value.Name == name))
            {
                _leases.TryRemove(new KeyValuePair<long, LocalLease>(leaseId, lease));
            }

            var removed = await _http.DeregisterAsync(name, scope.Token);
            await ReadAsync(scope.Token);
            return removed && !local.Critical;
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>One health query of the whole service (<c>?passing</c>): a registration whose lease expired is not found.</remarks>
    public async Task<Registration?> GetAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        using var scope = Linked(cancellationToken);
        var read = await ReadAsync(scope.Token);
        return read.Instances.TryGetValue(name, out var instance) ? instance.Registration.Clone() : null;
    }

    /// <inheritdoc />
    /// <remarks><c>GET /v1/health/service/:service?passing</c>, filtered by prefix here; the revision is its <c>X-Consul-Index</c>.</remarks>
    public async Task<RegistrySnapshot> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        using var scope = Linked(cancellationToken);
        var read = await ReadAsync(scope.Token);
        var registrations = read.Instances
            .Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => e.Value.Registration.Clone())
            .ToList();
        return new RegistrySnapshot(registrations, read.Index);
    }

    /// <inheritdoc />
    /// <remarks>
    /// <para>Consul keeps no history of a service's instances, only the current ones and the
    /// <c>X-Consul-Index</c> they are as of, so a watch can only tell the difference between a state
    /// it knows and a later one. It runs blocking queries
    /// (<c>?passing&amp;index=&lt;last&gt;&amp;wait=&lt;WatchWait&gt;</c>) and tells the differences
    /// between successive answers, each at the <c>X-Consul-Index</c> of the answer that showed it;
    /// it also tells the differences between the answers this store got for its other queries
    /// (lists, lookups, and the read-back after each of its own writes), so changes made through this
    /// store are told one by one and in order, while several changes made elsewhere between two
    /// answers are told as one (a registration made and ended in between, not at all).</para>
    /// <para>When <paramref name="afterRevision"/> is a revision this store answered (a list's, a
    /// registration's read-back) and is still within its history
    /// (<see cref="ConsulRegistryOptions.HistoryCapacity"/>), the watch goes on from exactly that state.
    /// Otherwise (another store's revision, or an older one) the state at
    /// <paramref name="afterRevision"/> is inferred from the first answer after it by the
    /// <c>CreateIndex</c>/<c>ModifyIndex</c> of each instance: created after it is told as
    /// registered, modified after it as changed; a registration that ended between
    /// <paramref name="afterRevision"/> and the oldest state this store remembers cannot be told,
    /// and one the store saw end near <paramref name="afterRevision"/> may be told as ended though
    /// the watcher never knew it. 0 tells every current registration as registered.</para>
    /// </remarks>
    /// <exception cref="RegistryHistoryLostException">
    /// <paramref name="afterRevision"/> is beyond Consul's index (its state was reset, or the
    /// revision comes from another cluster), Consul's index went backwards during the watch, or the
    /// watcher fell more than <see cref="ConsulRegistryOptions.HistoryCapacity"/> changes behind.
    /// </exception>
    public async IAsyncEnumerable<RegistryChange> WatchAsync(
        string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        using var scope = Linked(cancellationToken);
        var token = scope.Token;
        var start = _timeline.Begin(prefix, afterRevision);
        if (start is null)
        {
            await ReadAsync(token);
            start = _timeline.Begin(prefix, afterRevision) ?? throw new RegistryHistoryLostException(
                $"A watch asked for the changes after revision {afterRevision}, but Consul at {_options.DisplayAddress} is only at index {_timeline.LatestIndex} for service '{_options.ServiceName}': its state was reset or restored, or the revision comes from elsewhere. Start again from a snapshot.");
        }

        foreach (var change in start.Changes)
        {
            yield return change;
        }

        var cursor = start.Cursor;
        var pollIndex = cursor;
        var pacing = new PollPacing(_options.WatchMinPollInterval);
        Task<long>? poll = null;
        try
        {
            while (true)
            {
                var batch = _timeline.After(cursor, start.Epoch);
                if (batch.Lost)
                {
                    throw new RegistryHistoryLostException(
                        $"A watch of '{prefix}' can no longer be resumed after revision {cursor}: it fell more than {_options.HistoryCapacity} changes behind, or Consul's index went backwards (its state was reset or restored). Start again from a snapshot.");
                }

                foreach (var delta in batch.Deltas)
                {
                    if (delta.Name.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        yield return delta.ToChange();
                    }
                }

                cursor = batch.Latest;
                if (poll is null)
                {
                    await pacing.WaitAsync(token);
                    poll = PollAsync(pollIndex, token);
                }

                if (await Task.WhenAny(poll, batch.Advanced) == poll)
                {
                    var finished = poll;
                    poll = null;
                    pollIndex = await finished;
                }
            }
        }
        finally
        {
            if (poll is not null)
            {
                await scope.CancelAsync();
                try
                {
                    await poll;
                }
                catch (Exception)
                {
                    // The watch is over; its last query's fate does not matter.
                }
            }
        }
    }

    /// <summary>Ends running watches and releases the HTTP client. Registrations stay in Consul (leased ones expire).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync();
        _http.Dispose();
    }

    /// <summary>
    /// A blocking query after <paramref name="index"/> (at least 1, as Consul advises against busy
    /// loops); returns the index of its answer, which the next one waits after.
    /// </summary>
    private async Task<long> PollAsync(long index, CancellationToken cancellationToken)
    {
        var waitedAfter = Math.Max(index, 1);
        var read = await _http.ReadServiceAsync(waitedAfter, _options.WatchWait, cancellationToken);
        if (_timeline.Observe(read, waitedAfter))
        {
            _logger.LogWarning(
                "Consul at {Address} went back from index {Before} to {After} for service '{Service}'; watches start again from a snapshot.",
                _options.DisplayAddress, waitedAfter, read.Index, _options.ServiceName);
        }

        return read.Index;
    }

    private async Task<ServiceRead> ReadAsync(CancellationToken cancellationToken)
    {
        var read = await _http.ReadServiceAsync(0, _options.WatchWait, cancellationToken);
        _timeline.Observe(read, null);
        return read;
    }

    private CancellationTokenSource Linked(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        return CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
    }

    /// <summary>A lease this store granted or renewed, and when it runs out by this store's clock.</summary>
    private sealed record LocalLease(string Name, TimeSpan Ttl, DateTimeOffset ExpiresAt);

    /// <summary>Consul's advice for blocking loops: a token bucket with a burst of 2, refilled one per interval.</summary>
    private sealed class PollPacing(TimeSpan interval)
    {
        private const double Burst = 2;
        private double _tokens = Burst;
        private long _last = Environment.TickCount64;

        public async Task WaitAsync(CancellationToken cancellationToken)
        {
            if (interval <= TimeSpan.Zero)
            {
                return;
            }

            var now = Environment.TickCount64;
            _tokens = Math.Min(Burst, _tokens + (now - _last) / interval.TotalMilliseconds);
            _last = now;
            if (_tokens < 1)
            {
                await Task.Delay(TimeSpan.FromMilliseconds((1 - _tokens) * interval.TotalMilliseconds), cancellationToken);
                _tokens = 1;
                _last = Environment.TickCount64;
            }

            _tokens -= 1;
        }
    }
}
