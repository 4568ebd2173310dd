using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.ObjectPool;
using RemoteModel.Security.Keys;

namespace RemoteModel.Security.Signing;

/// <summary>
/// HMAC-SHA256 with one key, for any number of threads at once. A signed call takes three HMACs on
/// each side, and setting an HMAC's key up costs about as much as hashing a small message: so the
/// key is set up once, in <see cref="IncrementalHash"/> instances that keep it across
/// GetHashAndReset, and since those are not thread-safe each computation borrows one of its own.
/// </summary>
internal sealed class KeyedHmac
{
    /// <summary>
    /// The most bytes of text and message joined on the stack and hashed in one call: each call
    /// into OpenSSL costs about as much as hashing a hundred bytes, so a small message (a lookup,
    /// an answer's seal) is hashed with its text in one.
    /// </summary>
    private const int JoinedLimit = 1024;

    // One per key object: a keyring read again brings new key objects, and the old ones' HMACs go with them.
    private static readonly ConditionalWeakTable<AccessKey, KeyedHmac> ByKey = new();

    private readonly ObjectPool<IncrementalHash> _ready;

    private KeyedHmac(byte[] secret) =>
        _ready = new DefaultObjectPoolProvider().Create(new ReadyHmacs(secret));

    /// <summary>The HMAC with <paramref name="key"/>'s secret.</summary>
    public static KeyedHmac For(AccessKey key) => ByKey.GetValue(key, static k => new KeyedHmac(k.Secret.ToArray()));

    /// <summary>Writes the HMAC of <paramref name="text"/> followed by <paramref name="message"/> into <paramref name="hash"/>.</summary>
    public void Hash(ReadOnlySpan<byte> text, ReadOnlySpan<byte> message, Span<byte> hash)
    {
        var hmac = _ready.Get();
        if (text.Length + message.Length <= JoinedLimit)
        {
            Span<byte> joined = stackalloc byte[text.Length + message.Length];
            text.CopyTo(joined);
            message.CopyTo(joined[text.Length..]);
            hmac.AppendData(joined);
        }
        else
        {
            hmac.AppendData(text);
            hmac.AppendData(message);
        }

        Finish(hmac, hash);
    }

    /// <inheritdoc cref="Hash(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>
    public void Hash(ReadOnlySpan<byte> text, ReadOnlySequence<byte> message, Span<byte> hash)
    {
        if (message.IsSingleSegment)
        {
            Hash(text, message.FirstSpan, hash);
            return;
        }

        var hmac = _ready.Get();
        hmac.AppendData(text);
        foreach (var segment in message)
        {
            hmac.AppendData(segment.Span);
        }

        Finish(hmac, hash);
    }

    private void Finish(IncrementalHash hmac, Span<byte> hash)
    {
        hmac.GetHashAndReset(hash);

        // Given back only once reset: one that an exception left half-way through a text is never lent again.
        _ready.Return(hmac);
    }

    /// <summary>Makes the instances (the pool disposes those it cannot keep).</summary>
    private sealed class ReadyHmacs(byte[] secret) : PooledObjectPolicy<IncrementalHash>
    {
        public override IncrementalHash Create() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);

        public override bool Return(IncrementalHash obj) => true;
    }
}
