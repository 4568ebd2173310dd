namespace RemoteModel.Naming.Etcd.Gateway;

/// <summary>An etcd member answered, and its answer was an error.</summary>
/// <param name="endpoint">The member that answered.</param>
/// <param name="httpStatus">The HTTP status of the answer (200 for an error inside a stream).</param>
/// <param name="grpcCode">The gRPC status code etcd gave, or -1 when the answer did not say.</param>
/// <param name="detail">etcd's message, such as <c>etcdserver: requested lease not found</c>.</param>
internal sealed class EtcdGatewayException(Uri endpoint, int httpStatus, int grpcCode, string detail)
    : Exception($"etcd at {endpoint} answered {httpStatus}{(grpcCode >= 0 ? $" (gRPC code {grpcCode})" : string.Empty)}: {detail}")
{
    private const int GrpcDeadlineExceeded = 4;
    private const int GrpcNotFound = 5;
    private const int GrpcUnavailable = 14;

    public Uri Endpoint { get; } = endpoint;

    public int HttpStatus { get; } = httpStatus;

    public int GrpcCode { get; } = grpcCode;

    public string Detail { get; } = detail;

    /// <summary>
    /// The member cannot serve now but another may, or it may shortly: no leader, leader changed,
    /// request timed out, the gateway cannot reach its own server.
    /// </summary>
    public bool IsTransient =>
        GrpcCode is GrpcUnavailable or GrpcDeadlineExceeded || HttpStatus is 502 or 503 or 504;

    /// <summary>etcd does not know the lease (never granted, revoked, or expired).</summary>
    public bool IsLeaseNotFound =>
        GrpcCode == GrpcNotFound && Detail.Contains("requested lease not found", StringComparison.Ordinal);
}
