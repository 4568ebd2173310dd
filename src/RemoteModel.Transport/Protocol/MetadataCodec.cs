using Microsoft.Extensions.Primitives;

namespace RemoteModel.Transport.Protocol;

/// <summary>Moves <see cref="Metadata"/> to and from HTTP/2 header fields.</summary>
internal static class MetadataCodec
{
    public static string EncodeBinary(byte[] value) => Convert.ToBase64String(value).TrimEnd('=');

    /// <summary>Decodes a -bin value; padded and unpadded base64 are both accepted, as the spec asks.</summary>
    public static byte[] DecodeBinary(string key, string value)
    {
        var trimmed = value.Trim();
        var padding = (4 - (trimmed.Length % 4)) % 4;
        if (padding == 3)
        {
            throw new RpcException(StatusCode.Internal, $"Metadata '{key}' is not valid base64.");
        }

        try
        {
            return Convert.FromBase64String(trimmed + new string('=', padding));
        }
        catch (FormatException)
        {
            throw new RpcException(StatusCode.Internal, $"Metadata '{key}' is not valid base64.");
        }
    }

    /// <summary>Adds one received header field to <paramref name="metadata"/>, unless it belongs to the protocol.</summary>
    public static void AddReceived(Metadata metadata, string key, StringValues values)
    {
        if (GrpcProtocol.IsReservedHeader(key))
        {
            return;
        }

        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            if (Metadata.IsBinaryKey(key))
            {
                // Several binary values may arrive joined with commas in one field.
                foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    metadata.Add(key, DecodeBinary(key, part));
                }
            }
            else
            {
                metadata.Add(key, value);
            }
        }
    }

    public static Metadata FromHeaders(IEnumerable<KeyValuePair<string, StringValues>> headers)
    {
        var metadata = new Metadata();
        foreach (var (key, values) in headers)
        {
            AddReceived(metadata, key, values);
        }

        return metadata;
    }

    public static Metadata FromHeaders(IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers)
    {
        var metadata = new Metadata();
        foreach (var (key, values) in headers)
        {
            AddReceived(metadata, key, new StringValues(values.ToArray()));
        }

        return metadata;
    }

    public static string ToHeaderValue(Metadata.Entry entry) =>
        entry.IsBinary ? EncodeBinary(entry.ValueBytes) : entry.Value;
}
