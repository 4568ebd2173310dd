using System.Collections.Concurrent;

namespace RemoteModel.Security.Verification;

/// <summary>
/// Remembers the nonces of verified calls for as long as their timestamps are acceptable, so a
/// captured call cannot be sent again. Forgets by the injected clock; bounded in size.
/// </summary>
internal sealed class ReplayGuard(TimeProvider time, int capacity)
{
    /// <summary>The claims made room for at the start: a few seconds of a busy server's calls (each doubling takes every lock and moves every claim).</summary>
    private const int InitialCapacity = 1 << 16;

    private readonly ConcurrentDictionary<(string KeyId, UInt128 Nonce), DateTimeOffset> _seen = new(Environment.ProcessorCount, Math.Min(capacity, InitialCapacity));

    // The claims in the order they were made, which is nearly the order their windows end (clients'
    // clocks differ by the skew at most): forgetting takes the ended ones off the front and never
    // walks the rest, so no call pays for the whole window. A claim behind one that ends later
    // is forgotten that much later, within twice the skew.
    private readonly ConcurrentQueue<KeyValuePair<(string KeyId, UInt128 Nonce), DateTimeOffset>> _byAge = new();
    private readonly Lock _forgetting = new();

    // Kept beside the dictionary: its Count takes every one of its locks, too dear on each call.
    private int _count;

    /// <summary>Claims the nonce (its 16 bytes: a number keeps no string alive per call) until <paramref name="forgetAfter"/>; false when it was claimed already (a replay) or the guard is full.</summary>
    public bool TryClaim(string keyId, UInt128 nonce, DateTimeOffset forgetAfter, out bool full)
    {
        if (_forgetting.TryEnter())
        {
            try
            {
                ForgetEnded(time.GetUtcNow());
            }
            finally
            {
                _forgetting.Exit();
            }
        }

        full = Volatile.Read(ref _count) >= capacity;
        var claim = (keyId, nonce);
        if (full || !_seen.TryAdd(claim, forgetAfter))
        {
            return false;
        }

        Interlocked.Increment(ref _count);
        _byAge.Enqueue(new(claim, forgetAfter));
        return true;
    }

    private void ForgetEnded(DateTimeOffset now)
    {
        // Only the holder of _forgetting dequeues, so the claim peeked at is the one dequeued.
        while (_byAge.TryPeek(out var oldest) && oldest.Value <= now && _byAge.TryDequeue(out oldest))
        {
            // Removed only if it still holds this window: a nonce claimed again later holds another.
            if (_seen.TryRemove(oldest))
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }
}
