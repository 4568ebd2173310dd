using System.Collections.Concurrent;

namespace RemoteModel.Security.Verification;

/// <summary>
/// Remembers the nonces of verified calls for as long as their timestamps are acceptable, so a
/// captured call cannot be sent again. Forgets by the injected clock; bounded in size.
/// </summary>
internal sealed class ReplayGuard(TimeProvider time, int capacity)
{
    private readonly ConcurrentDictionary<(string KeyId, string Nonce), DateTimeOffset> _seen = new();
    private readonly Lock _sweeping = new();
    private DateTimeOffset _nextSweep = DateTimeOffset.MinValue;

    // Kept beside the dictionary: its Count takes every one of its locks, too dear on each call.
    private int _count;

    /// <summary>Claims the nonce until <paramref name="forgetAfter"/>; false when it was claimed already (a replay) or the guard is full.</summary>
    public bool TryClaim(string keyId, string nonce, DateTimeOffset forgetAfter, out bool full)
    {
        var now = time.GetUtcNow();
        if ((now >= _nextSweep || Volatile.Read(ref _count) >= capacity) && _sweeping.TryEnter())
        {
            try
            {
                Sweep(now);
            }
            finally
            {
                _sweeping.Exit();
            }
        }

        full = Volatile.Read(ref _count) >= capacity;
        if (full || !_seen.TryAdd((keyId, nonce), forgetAfter))
        {
            return false;
        }

        Interlocked.Increment(ref _count);
        return true;
    }

    private void Sweep(DateTimeOffset now)
    {
        _nextSweep = now + TimeSpan.FromSeconds(1);
        foreach (var entry in _seen)
        {
            if (entry.Value <= now && _seen.TryRemove(entry))
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }
}
