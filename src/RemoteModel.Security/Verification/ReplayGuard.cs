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

    public int Count => _seen.Count;

    /// <summary>Claims the nonce until <paramref name="forgetAfter"/>; false when it was claimed already (a replay) or the guard is full.</summary>
    public bool TryClaim(string keyId, string nonce, DateTimeOffset forgetAfter, out bool full)
    {
        var now = time.GetUtcNow();
        if ((now >= _nextSweep || _seen.Count >= capacity) && _sweeping.TryEnter())
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

        full = _seen.Count >= capacity;
        return !full && _seen.TryAdd((keyId, nonce), forgetAfter);
    }

    private void Sweep(DateTimeOffset now)
    {
        _nextSweep = now + TimeSpan.FromSeconds(1);
        foreach (var entry in _seen)
        {
            if (entry.Value <= now)
            {
                _seen.TryRemove(entry);
            }
        }
    }
}
