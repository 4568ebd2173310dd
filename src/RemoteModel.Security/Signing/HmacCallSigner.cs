using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using RemoteModel.Security.Keys;
using Grpc.Core;
using RemoteModel.Grpc.Authentication;

namespace RemoteModel.Security.Signing;

/// <summary>
/// Signs every call with one key (docs/security.md) and rejects any answer not sealed with it,
/// so an impostor server cannot feed the client.
/// </summary>
public sealed class HmacCallSigner : CallSigner
{
    private readonly AccessKey _key;
    private readonly KeyedHmac _hmac;
    private readonly TimeProvider _time;

    /// <summary>Signs with <paramref name="key"/>, timestamps from <paramref name="timeProvider"/>.</summary>
    public HmacCallSigner(AccessKey key, TimeProvider? timeProvider = null)
    {
        _key = key;
        _hmac = KeyedHmac.For(key);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public override IResponseVerifier Sign(string method, ReadOnlySpan<byte> request, Metadata headers)
    {
        var timestamp = _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var nonce = Nonces.NextHex();

        Span<byte> hash = stackalloc byte[SigningScheme.HashLength];
        SigningScheme.SignRequest(_hmac, method, timestamp, nonce, _key.Id, request, hash);
        headers.Add(SigningScheme.KeyIdHeader, _key.Id);
        headers.Add(SigningScheme.TimestampHeader, timestamp);
        headers.Add(SigningScheme.NonceHeader, nonce);
        headers.Add(SigningScheme.SignatureHeader, Convert.ToHexStringLower(hash));
        return new SealChecker(_key.Id, _hmac, nonce);
    }

    /// <summary>The signature of a request, 64 lowercase hex digits.</summary>
    internal static string Sign(AccessKey key, string method, string timestamp, string nonce, ReadOnlySequence<byte> message)
    {
        Span<byte> hash = stackalloc byte[SigningScheme.HashLength];
        SigningScheme.SignRequest(KeyedHmac.For(key), method, timestamp, nonce, key.Id, message, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Checks the seals of one call's answers.</summary>
    private sealed class SealChecker(string keyId, KeyedHmac hmac, string nonce) : IResponseVerifier
    {
        private long _sequence;

        public ReadOnlySequence<byte> Open(ReadOnlySequence<byte> message)
        {
            var sealLength = SigningScheme.SealLength;
            Span<byte> seal = stackalloc byte[sealLength];
            if (message.Length < sealLength || !SealPrefixAt(message, seal))
            {
                throw Unsealed("a response message carries no seal");
            }

            var body = message.Slice(0, message.Length - sealLength);
            Span<byte> expected = stackalloc byte[SigningScheme.HashLength];
            SigningScheme.SealMessage(hmac, nonce, _sequence++, body, expected);
            if (!CryptographicOperations.FixedTimeEquals(seal[SigningScheme.SealPrefix.Length..], expected))
            {
                throw Unverifiable("a response message's seal does not match");
            }

            return body;
        }

        public void CheckEnd(Status status, Metadata endMetadata)
        {
            var seal = endMetadata.GetValue(SigningScheme.StatusSealHeader);
            if (seal is null)
            {
                // A server that refused the key cannot seal; an error it could not seal is passed on.
                if (status.StatusCode == StatusCode.OK)
                {
                    throw Unsealed("the call's end is not sealed");
                }

                return;
            }

            Span<byte> expected = stackalloc byte[SigningScheme.HashLength];
            SigningScheme.SealStatus(hmac, nonce, _sequence, status, expected);
            if (!SigningScheme.HexMatches(expected, seal))
            {
                throw Unverifiable("the call's end is wrongly sealed");
            }
        }

        /// <summary>Copies the last <paramref name="seal"/>-length bytes of <paramref name="message"/> into it; true when they begin as a seal does.</summary>
        private static bool SealPrefixAt(ReadOnlySequence<byte> message, Span<byte> seal)
        {
            message.Slice(message.Length - seal.Length).CopyTo(seal);
            return seal[..SigningScheme.SealPrefix.Length].SequenceEqual(SigningScheme.SealPrefix);
        }

        private RpcException Unverifiable(string what) =>
            new(new Status(StatusCode.Unauthenticated, $"the response could not be verified: {what} with key '{keyId}' (an impostor, or a server that does not hold this key)"));

        // Most often not an impostor but a server started with Auth:Enabled=false: say how to call it.
        private RpcException Unsealed(string what) =>
            new(new Status(StatusCode.Unauthenticated, $"the response could not be verified: {what} with key '{keyId}' (an impostor, or a server with authentication off: call that one unsigned, with REMOTEMODEL_Auth__Enabled=false)"));
    }
}
