using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using Grpc.Core;
using RemoteModel.Grpc.Authentication;

namespace RemoteModel.Security.Verification;

/// <summary>Seals one verified call's answers with its key, bound to its nonce and each message's place.</summary>
internal sealed class HmacResponseSealer(KeyedHmac hmac, string nonce) : IResponseSealer
{
    private long _sequence;

    /// <summary>Seals with <paramref name="key"/>'s secret.</summary>
    public HmacResponseSealer(AccessKey key, string nonce)
        : this(KeyedHmac.For(key), nonce)
    {
    }

    public int SealLength => SigningScheme.SealLength;

    public void SealMessage(ReadOnlySpan<byte> message, Span<byte> seal)
    {
        SigningScheme.SealPrefix.CopyTo(seal);
        SigningScheme.SealMessage(hmac, nonce, _sequence++, message, seal[SigningScheme.SealPrefix.Length..]);
    }

    public void SealEnd(Status status, Metadata trailers)
    {
        Span<byte> seal = stackalloc byte[SigningScheme.HashLength];
        SigningScheme.SealStatus(hmac, nonce, _sequence, status, seal);
        trailers.Add(SigningScheme.StatusSealHeader, Convert.ToHexStringLower(seal));
    }
}
