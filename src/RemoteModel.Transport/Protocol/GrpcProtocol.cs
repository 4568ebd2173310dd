namespace RemoteModel.Transport.Protocol;

/// <summary>Names and values fixed by the gRPC over HTTP/2 specification (doc/PROTOCOL-HTTP2.md).</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string TeHeader = "te";
    public const string TeTrailers = "trailers";
    public const string IdentityEncoding = "identity";
    public const string GzipEncoding = "gzip";

    /// <summary>What this implementation can decompress, in the form grpc-accept-encoding takes.</summary>
    public const string SupportedEncodings = "identity,gzip";

    public const string UserAgent = "grpc-dotnet-remotemodel/1.0";

    /// <summary>The 5-byte message prefix: a compressed flag and a big-endian length.</summary>
    public const int MessagePrefixLength = 5;

    /// <summary>The default largest message a peer may send: 4 MiB, as in every stock gRPC runtime.</summary>
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    /// <summary>
    /// True for <c>application/grpc</c> and its <c>+proto</c>/<c>;params</c> variants; gRPC-Web
    /// and anything else is refused.
    /// </summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (contentType.Length == ContentType.Length)
        {
            return true;
        }

        var next = contentType[ContentType.Length];
        return next is '+' or ';';
    }

    /// <summary>True when <paramref name="header"/> belongs to the protocol rather than to the application's metadata.</summary>
    public static bool IsReservedHeader(string header) =>
        header.StartsWith(':')
        || header.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase)
        || header.Equals("content-type", StringComparison.OrdinalIgnoreCase)
        || header.Equals(TeHeader, StringComparison.OrdinalIgnoreCase)
        || header.Equals("content-length", StringComparison.OrdinalIgnoreCase)
        || header.Equals("host", StringComparison.OrdinalIgnoreCase)
        || header.Equals("connection", StringComparison.OrdinalIgnoreCase);
}
