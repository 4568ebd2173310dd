using System.Collections.Concurrent;
using RemoteModel.Naming.V1;

namespace RemoteModel.Naming.Server;

/// <summary>
/// The registrations this name server is ending itself (a hold that closed, an Unregister, a
/// Remove), remembered for a while so that the store's watch can tell them from those that end
/// without a call here: a lease that ran out, or an end made through another name server over the
/// same store. Each of the first kind is logged where it is ended; the watch logs the second.
/// </summary>
internal sealed class EndedHere(TimeProvider time)
{
    /// <summary>How long an end made here waits to be claimed by its watch event; longer than any store takes to tell it.</summary>
    internal static readonly TimeSpan Memory = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<long, DateTimeOffset> _leases = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _names = new(StringComparer.Ordinal);
    private long _nextSweepTicks;

    /// <summary>How many notes wait to be claimed.</summary>
    internal int Pending => _leases.Count + _names.Count;

    /// <summary>Notes, before asking the store, that this server ends the registration held by <paramref name="leaseId"/>.</summary>
    public void Lease(long leaseId) => _leases[leaseId] = SweepIfDue();

    /// <summary>Notes, before asking the store, that this server removes <paramref name="name"/>.</summary>
    public void Name(string name) => _names[name] = SweepIfDue();

    /// <summary>Takes back a note whose end did not happen (the store had nothing to end).</summary>
    public void Forget(long leaseId) => _leases.TryRemove(leaseId, out _);

    /// <inheritdoc cref="Forget(long)"/>
    public void Forget(string name) => _names.TryRemove(name, out _);

    /// <summary>True, once, when the end of <paramref name="ended"/> was this server's doing; called by the one watch.</summary>
    public bool Claims(Registration ended)
    {
        SweepIfDue();
        var byLease = ended.LeaseId != 0 && _leases.TryRemove(ended.LeaseId, out _);
        var byName = _names.TryRemove(ended.Name, out _);
        return byLease || byName;
    }

    /// <summary>
    /// Forgets, at most once a while, the notes whose event never came (the watch lost its place,
    /// or nobody watches), so they cannot pile up; returns the time now.
    /// </summary>
    private DateTimeOffset SweepIfDue()
    {
        var now = time.GetUtcNow();
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks >= due && Interlocked.CompareExchange(ref _nextSweepTicks, (now + Memory).UtcTicks, due) == due)
        {
            ForgetOlderThan(now - Memory);
        }

        return now;
    }

    private void ForgetOlderThan(DateTimeOffset cutoff)
    {
        foreach (var (leaseId, at) in _leases)
        {
            if (at < cutoff)
            {
                _leases.TryRemove(leaseId, out _);
            }
        }

        foreach (var (name, at) in _names)
        {
            if (at < cutoff)
            {
                _names.TryRemove(name, out _);
            }
        }
    }
}
