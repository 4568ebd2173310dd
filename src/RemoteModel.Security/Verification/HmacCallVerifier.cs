using System.Buffers;
using System.Globalization;
using RemoteModel.Grpc.Server;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using Grpc.Core;
using RemoteModel.Grpc.Authentication;

namespace RemoteModel.Security.Verification;

/// <summary>
/// Verifies signed calls against a keyring (docs/security.md): key known and valid, timestamp
/// within the clock skew, signature right (compared in constant time), nonce not seen before in
/// the window. A verified call's key is kept for the scope checks (<see cref="KeyPermissions"/>)
/// and its answers are sealed; an unsigned call goes on unsealed. Every refusal is logged once.
/// Verifies calls that ASP.NET Core serves (<see cref="CallContextHeaders.RequestHeader"/>),
/// as every authenticated service is.
/// </summary>
public sealed class HmacCallVerifier : CallVerifier
{
    private static readonly object VerifiedKeyItem = new();
    private static readonly SearchValues<char> LowerHexDigits = SearchValues.Create("0123456789abcdef");

    private readonly KeyringSource _keyring;
    private readonly AuthOptions _options;
    private readonly TimeProvider _time;
    private readonly ReplayGuard _replays;
    private readonly ILogger _logger;

    /// <summary>Verifies against <paramref name="keyring"/>.</summary>
    public HmacCallVerifier(KeyringSource keyring, AuthOptions? options = null, TimeProvider? timeProvider = null, ILogger<HmacCallVerifier>? logger = null)
    {
        _keyring = keyring;
        _options = options ?? new AuthOptions();
        _time = timeProvider ?? TimeProvider.System;
        _replays = new ReplayGuard(_time, _options.MaxRememberedNonces);
        _logger = logger ?? NullLogger<HmacCallVerifier>.Instance;
    }

    /// <summary>The key a call was verified with, or null for an unsigned call.</summary>
    public static AccessKey? KeyOf(ServerCallContext context) =>
        context.UserState.TryGetValue(VerifiedKeyItem, out var key) ? (AccessKey?)key : null;

    /// <inheritdoc />
    public override string? KeyIdOf(ServerCallContext context) => KeyOf(context)?.Id;

    /// <inheritdoc />
    public override IResponseSealer? Verify(ServerCallContext context, ReadOnlySequence<byte> request)
    {
        var keyId = context.RequestHeader(SigningScheme.KeyIdHeader);
        var timestamp = context.RequestHeader(SigningScheme.TimestampHeader);
        var nonce = context.RequestHeader(SigningScheme.NonceHeader);
        var signature = context.RequestHeader(SigningScheme.SignatureHeader);
        if (keyId is null && timestamp is null && nonce is null && signature is null)
        {
            return null;
        }

        if (keyId is null || timestamp is null || nonce is null || signature is null)
        {
            var missing = new[] { (SigningScheme.KeyIdHeader, keyId), (SigningScheme.TimestampHeader, timestamp), (SigningScheme.NonceHeader, nonce), (SigningScheme.SignatureHeader, signature) }
                .Where(h => h.Item2 is null).Select(h => h.Item1);
            throw Refuse(context, keyId, $"the call is signed only in part: {string.Join(", ", missing)} missing");
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            || milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            throw Refuse(context, keyId, $"{SigningScheme.TimestampHeader} is not Unix milliseconds");
        }

        if (nonce.Length != 2 * SigningScheme.NonceLength || !IsLowerHex(nonce))
        {
            throw Refuse(context, keyId, $"{SigningScheme.NonceHeader} is not {2 * SigningScheme.NonceLength} lowercase hex digits");
        }

        if (signature.Length != 2 * SigningScheme.HashLength || !IsLowerHex(signature))
        {
            throw Refuse(context, keyId, $"{SigningScheme.SignatureHeader} is not {2 * SigningScheme.HashLength} lowercase hex digits");
        }

        var now = _time.GetUtcNow();
        var key = _keyring.Current.Find(keyId) ?? throw Refuse(context, keyId, $"key '{Printable(keyId)}' is unknown to this server");
        if (key.InvalidityAt(now) is { } invalidity)
        {
            throw Refuse(context, keyId, $"key '{keyId}' {invalidity}");
        }

        var signedAt = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        var skew = now - signedAt;
        if (skew.Duration() > _options.ClockSkew)
        {
            throw Refuse(context, keyId,
                $"the call was signed {FormatSkew(skew)} {(skew > TimeSpan.Zero ? "ago" : "ahead of this server's clock")}; at most {FormatSkew(_options.ClockSkew)} is allowed (check the clocks)");
        }

        // The key's HMAC checks the request, then seals the answers.
        var hmac = KeyedHmac.For(key);
        Span<byte> hash = stackalloc byte[SigningScheme.HashLength];
        SigningScheme.SignRequest(hmac, context.Method, timestamp, nonce, key.Id, request, hash);
        if (!SigningScheme.HexMatches(hash, signature))
        {
            throw Refuse(context, keyId, $"the signature does not match key '{keyId}' (wrong secret, or the request was altered)");
        }

        // The nonce is claimed only for a good signature, so forged calls cannot fill the guard.
        if (!_replays.TryClaim(key.Id, UInt128.Parse(nonce, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture), signedAt + _options.ClockSkew, out var full))
        {
            throw Refuse(context, keyId, full
                ? $"this server remembers {_options.MaxRememberedNonces} nonces at most and is full; try again shortly"
                : "the nonce was used before: the call is a replay");
        }

        context.UserState[VerifiedKeyItem] = key;
        return new HmacResponseSealer(hmac, nonce);
    }

    private RpcException Refuse(ServerCallContext context, string? keyId, string reason)
    {
        AuthLog.Refused(_logger, context.Method, context.Peer, keyId is null ? "(none)" : Printable(keyId), reason);
        return new RpcException(new Status(StatusCode.Unauthenticated, reason));
    }

    private static bool IsLowerHex(string text) => !text.AsSpan().ContainsAnyExcept(LowerHexDigits);

    // An unknown id is the caller's text: cut to size and to printable characters before it is echoed or logged.
    private static string Printable(string text) =>
        new([.. text.Take(64).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '?')]);

    private static string FormatSkew(TimeSpan skew) => skew.Duration().TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
}
