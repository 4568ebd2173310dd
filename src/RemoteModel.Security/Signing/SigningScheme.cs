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

    /// <summary>Room on the stack for the text before a message: a method path, a timestamp, a nonce and a key id fit.</summary>
    private const int TextBufferLength = 512;

    /// <summary>The longest a long is in decimal: 19 digits and a sign.</summary>
    private const int MaxDecimalLength = 20;

    private static ReadOnlySpan<byte> RequestLabel => "remotemodel-v1\n"u8;

    private static ReadOnlySpan<byte> ResponseLabel => "remotemodel-v1 response\n"u8;

    private static ReadOnlySpan<byte> StatusLabel => "remotemodel-v1 status\n"u8;

    /// <summary>The request's HMAC, as the <c>remotemodel-signature</c> header's 64 hex digits are made from.</summary>
    public static void SignRequest(
        KeyedHmac hmac, string method, string timestamp, string nonce, string keyId, ReadOnlySequence<byte> message, Span<byte> hash)
    {
        var text = RequestText(stackalloc byte[TextBufferLength], method, timestamp, nonce, keyId);
        hmac.Hash(text.Bytes, message, hash);
        text.Dispose();
    }

    /// <inheritdoc cref="SignRequest(KeyedHmac, string, string, string, string, ReadOnlySequence{byte}, Span{byte})"/>
    public static void SignRequest(
        KeyedHmac hmac, string method, string timestamp, string nonce, string keyId, ReadOnlySpan<byte> message, Span<byte> hash)
    {
        var text = RequestText(stackalloc byte[TextBufferLength], method, timestamp, nonce, keyId);
        hmac.Hash(text.Bytes, message, hash);
        text.Dispose();
    }

    /// <summary>The seal of response message number <paramref name="sequence"/>.</summary>
    public static void SealMessage(KeyedHmac hmac, string nonce, long sequence, ReadOnlySpan<byte> message, Span<byte> hash)
    {
        var text = MessageSealText(stackalloc byte[TextBufferLength], nonce, sequence);
        hmac.Hash(text.Bytes, message, hash);
        text.Dispose();
    }

    /// <inheritdoc cref="SealMessage(KeyedHmac, string, long, ReadOnlySpan{byte}, Span{byte})"/>
    public static void SealMessage(KeyedHmac hmac, string nonce, long sequence, ReadOnlySequence<byte> message, Span<byte> hash)
    {
        var text = MessageSealText(stackalloc byte[TextBufferLength], nonce, sequence);
        hmac.Hash(text.Bytes, message, hash);
        text.Dispose();
    }

    /// <summary>The seal of the call's end; the <c>remotemodel-status-seal</c> trailer carries it in hex.</summary>
    public static void SealStatus(KeyedHmac hmac, string nonce, long count, Status status, Span<byte> hash)
    {
        var text = new HashedText(stackalloc byte[TextBufferLength]);
        text.Append(StatusLabel);
        text.Line(nonce);
        text.Line(count);
        text.Line((int)status.StatusCode);
        text.Append(status.Detail);
        hmac.Hash(text.Bytes, ReadOnlySpan<byte>.Empty, hash);
        text.Dispose();
    }

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

    private static HashedText RequestText(Span<byte> buffer, string method, string timestamp, string nonce, string keyId)
    {
        var text = new HashedText(buffer);
        text.Append(RequestLabel);
        text.Line(method);
        text.Line(timestamp);
        text.Line(nonce);
        text.Line(keyId);
        return text;
    }

    private static HashedText MessageSealText(Span<byte> buffer, string nonce, long sequence)
    {
        var text = new HashedText(buffer);
        text.Append(ResponseLabel);
        text.Line(nonce);
        text.Line(sequence);
        return text;
    }

    /// <summary>
    /// The text an HMAC covers before the message, gathered in one buffer so that the HMAC takes it
    /// in one call: each call into OpenSSL costs about as much as hashing a hundred bytes. On the
    /// stack unless it outgrows <see cref="TextBufferLength"/> (a long status detail).
    /// </summary>
    private ref struct HashedText(Span<byte> buffer)
    {
        private Span<byte> _buffer = buffer;
        private byte[]? _rented;
        private int _length;

        public readonly ReadOnlySpan<byte> Bytes => _buffer[.._length];

        public void Append(scoped ReadOnlySpan<byte> bytes)
        {
            Reserve(bytes.Length);
            bytes.CopyTo(_buffer[_length..]);
            _length += bytes.Length;
        }

        /// <summary>Appends <paramref name="text"/> in UTF-8.</summary>
        public void Append(string text)
        {
            Reserve(Encoding.UTF8.GetMaxByteCount(text.Length));
            _length += Encoding.UTF8.GetBytes(text, _buffer[_length..]);
        }

        public void Line(string text)
        {
            Append(text);
            Append("\n"u8);
        }

        /// <summary>Appends <paramref name="number"/> in decimal ASCII and a line end.</summary>
        public void Line(long number)
        {
            Reserve(MaxDecimalLength);
            number.TryFormat(_buffer[_length..], out var written, provider: CultureInfo.InvariantCulture);
            _length += written;
            Append("\n"u8);
        }

        /// <summary>Gives a buffer taken from the pool back.</summary>
        public readonly void Dispose()
        {
            if (_rented is not null)
            {
                ArrayPool<byte>.Shared.Return(_rented);
            }
        }

        private void Reserve(int count)
        {
            if (_length + count <= _buffer.Length)
            {
                return;
            }

            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(2 * _buffer.Length, _length + count));
            _buffer[.._length].CopyTo(larger);
            Dispose();
            _rented = larger;
            _buffer = larger;
        }
    }
}
