using System.Buffers;
using System.Text;

namespace RemoteModel.Transport.Protocol;

/// <summary>
/// The <c>grpc-message</c> encoding: UTF-8, with every byte outside printable ASCII (0x20-0x7E)
/// and '%' itself written as %XX. Decoding is lenient, as the spec asks: a malformed escape
/// stays as it is.
/// </summary>
internal static class PercentEncoding
{
    public static string Encode(string text)
    {
        if (!NeedsEncoding(text))
        {
            return text;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        var builder = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
        }

        return builder.ToString();
    }

    public static string Decode(string? encoded)
    {
        if (string.IsNullOrEmpty(encoded))
        {
            return string.Empty;
        }

        if (!encoded.Contains('%'))
        {
            return encoded;
        }

        var bytes = ArrayPool<byte>.Shared.Rent(encoded.Length);
        try
        {
            var length = 0;
            for (var i = 0; i < encoded.Length; i++)
            {
                var c = encoded[i];
                if (c == '%' && i + 2 < encoded.Length && TryHex(encoded[i + 1], out var high) && TryHex(encoded[i + 2], out var low))
                {
                    bytes[length++] = (byte)((high << 4) | low);
                    i += 2;
                }
                else
                {
                    // Header values are ASCII; anything else is passed through as best we can.
                    bytes[length++] = c <= 0x7F ? (byte)c : (byte)'?';
                }
            }

            return Encoding.UTF8.GetString(bytes, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static bool NeedsEncoding(string text)
    {
        foreach (var c in text)
        {
            if (c is < (char)0x20 or > (char)0x7E or '%')
            {
                return true;
            }
        }

        return false;
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
