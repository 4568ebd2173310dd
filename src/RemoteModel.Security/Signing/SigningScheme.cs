using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;

namespace RemoteModel.Security.Signing;

/// <summary>The byte strings of docs/security.md, signed and sealed with HMAC-SHA256; one place for every side.</summary>
internal static class SigningScheme
{
    public const string KeyIdHeader = "remotemodel-key-id";
    public const string TimestampHeader = "remotemodel-timestamp";
    public const string NonceHeader = "remotemodel-nonce";
    public const string SignatureHeader = "remotemodel-signature";
    public const string StatusSealHeader = "remotemodel-status-seal";

    public const int NonceLength = 16;
    public const int HashLength = 32;

    /// <summary>Protobuf field 2047, length-delimited (<c>fa 7f</c>), 32 bytes long (<c>20</c>).</summary>
    public static ReadOnlySpan<byte> SealPrefix => [0xfa, 0x7f, 0x20];

    public static int SealLength => SealPrefix.Length + HashLength;

    private static ReadOnlySpan<byte> RequestLabel => "remotemodel-v1\n"u8;

    private static ReadOnlySpan<byte> ResponseLabel => "remotemodel-v1 response\n"u8;

    private static ReadOnlySpan<byte> StatusLabel => "remotemodel-v1 status\n"u8;

    /// <summary>The request's HMAC, as the <c>remotemodel-signature</c> header's 64 hex digits are made from.</summary>
    public static void SignRequest(
        IncrementalHash hmac, string method, string timestamp, string nonce, string keyId, ReadOnlySequence<byte> message, Span<byte> hash)
    {
        BeginRequest(hmac, method, timestamp, nonce, keyId);
        Append(hmac, message);
        hmac.GetHashAndReset(hash);
    }

    /// <inheritdoc cref="SignRequest(IncrementalHash, string, string, string, string, ReadOnlySequence{byte}, Span{byte})"/>
    public static void SignRequest(
        IncrementalHash hmac, string method, string timestamp, string nonce, string keyId, ReadOnlySpan<byte> message, Span<byte> hash)
    {
        BeginRequest(hmac, method, timestamp, nonce, keyId);
        hmac.AppendData(message);
        hmac.GetHashAndReset(hash);
    }

    /// <summary>The seal of response message number <paramref name="sequence"/>.</summary>
    public static void SealMessage(IncrementalHash hmac, string nonce, long sequence, ReadOnlySpan<byte> message, Span<byte> hash)
    {
        BeginMessageSeal(hmac, nonce, sequence);
        hmac.AppendData(message);
        hmac.GetHashAndReset(hash);
    }

    /// <inheritdoc cref="SealMessage(IncrementalHash, string, long, ReadOnlySpan{byte}, Span{byte})"/>
    public static void SealMessage(IncrementalHash hmac, string nonce, long sequence, ReadOnlySequence<byte> message, Span<byte> hash)
    {
        BeginMessageSeal(hmac, nonce, sequence);
        Append(hmac, message);
        hmac.GetHashAndReset(hash);
    }

    /// <summary>The seal of the call's end; the <c>remotemodel-status-seal</c> trailer carries it in hex.</summary>
    public static void SealStatus(IncrementalHash hmac, string nonce, long count, Status status, Span<byte> hash)
    {
        hmac.AppendData(StatusLabel);
        AppendLine(hmac, nonce);
        AppendLine(hmac, count.ToString(CultureInfo.InvariantCulture));
        AppendLine(hmac, ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture));
        hmac.AppendData(Encoding.UTF8.GetBytes(status.Detail));
        hmac.GetHashAndReset(hash);
    }

    public static IncrementalHash CreateHmac(ReadOnlySpan<byte> secret) => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);

    /// <summary>Whether <paramref name="hex"/> (either case) spells <paramref name="expected"/>, compared in time that does not depend on where they differ.</summary>
    public static bool HexMatches(ReadOnlySpan<byte> expected, string? hex)
    {
        if (hex is null || hex.Length != 2 * expected.Length)
        {
            return false;
        }

        Span<byte> actual = stackalloc byte[expected.Length];
        return Convert.FromHexString(hex, actual, out _, out var written) == OperationStatus.Done
            && written == expected.Length
            && CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static void BeginRequest(IncrementalHash hmac, string method, string timestamp, string nonce, string keyId)
    {
        hmac.AppendData(RequestLabel);
        AppendLine(hmac, method);
        AppendLine(hmac, timestamp);
        AppendLine(hmac, nonce);
        AppendLine(hmac, keyId);
    }

    private static void BeginMessageSeal(IncrementalHash hmac, string nonce, long sequence)
    {
        hmac.AppendData(ResponseLabel);
        AppendLine(hmac, nonce);
        AppendLine(hmac, sequence.ToString(CultureInfo.InvariantCulture));
    }

    private static void Append(IncrementalHash hmac, ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
        {
            hmac.AppendData(segment.Span);
        }
    }

    private static void AppendLine(IncrementalHash hmac, string text)
    {
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetMaxByteCount(text.Length) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(text, buffer)] : Encoding.UTF8.GetBytes(text);
        hmac.AppendData(bytes);
        hmac.AppendData("\n"u8);
    }
}
