using System.Security.Cryptography;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using RemoteModel.Transport;
using RemoteModel.Transport.Authentication;

namespace RemoteModel.Security.Verification;

/// <summary>Seals one verified call's answers with its key, bound to its nonce and each message's place.</summary>
internal sealed class HmacResponseSealer(AccessKey key, string nonce) : IResponseSealer
{
    private readonly IncrementalHash _hmac = SigningScheme.CreateHmac(key.Secret);
    private long _sequence;

    public int SealLength => SigningScheme.SealLength;

    public void SealMessage(ReadOnlySpan<byte> message, Span<byte> seal)
    {
        SigningScheme.SealPrefix.CopyTo(seal);
        SigningScheme.SealMessage(_hmac, nonce, _sequence++, message, seal[SigningScheme.SealPrefix.Length..]);
    }

    public void SealEnd(Status status, Metadata trailers)
    {
        trailers.Add(SigningScheme.StatusSealHeader, SigningScheme.SealStatus(_hmac, nonce, _sequence, status));

        // The transport sends nothing after the end: the hash's native state goes now, not at finalization.
        _hmac.Dispose();
    }
}
