using System.Security.Cryptography;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using Grpc.Core;
using RemoteModel.Grpc.Authentication;

namespace RemoteModel.Security.Verification;

/// <summary>Seals one verified call's answers with its key, bound to its nonce and each message's place.</summary>
internal sealed class HmacResponseSealer(IncrementalHash hmac, string nonce) : IResponseSealer
{
    private readonly IncrementalHash _hmac = hmac;
    private long _sequence;

    /// <summary>Seals with <paramref name="key"/>; a verifier hands on the HMAC it checked the request with instead.</summary>
    public HmacResponseSealer(AccessKey key, string nonce)
        : this(SigningScheme.CreateHmac(key.Secret), nonce)
    {
    }

    public int SealLength => SigningScheme.SealLength;

    public void SealMessage(ReadOnlySpan<byte> message, Span<byte> seal)
    {
        SigningScheme.SealPrefix.CopyTo(seal);
        SigningScheme.SealMessage(_hmac, nonce, _sequence++, message, seal[SigningScheme.SealPrefix.Length..]);
    }

    public void SealEnd(Status status, Metadata trailers)
    {
        Span<byte> seal = stackalloc byte[SigningScheme.HashLength];
        SigningScheme.SealStatus(_hmac, nonce, _sequence, status, seal);
        trailers.Add(SigningScheme.StatusSealHeader, Convert.ToHexStringLower(seal));

        // The transport sends nothing after the end: the hash's native state goes now, not at finalization.
        _hmac.Dispose();
    }
}
