namespace RemoteModel.Transport.Server;

/// <summary>
/// Limits and behaviour of a gRPC server. Every limit has a name, a documented default, and can
/// be bound from configuration (section <c>Grpc</c> in the executables).
/// </summary>
public sealed class GrpcServerOptions
{
    /// <summary>
    /// The largest request message accepted, in bytes; a larger one is refused with
    /// RESOURCE_EXHAUSTED before it is buffered. Default 4 MiB, as in every stock gRPC runtime.
    /// </summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>The largest response message sent, in bytes; default unlimited.</summary>
    public int MaxSendMessageSize { get; set; } = int.MaxValue;

    /// <summary>
    /// Put an unexpected exception's message into the status sent to clients. Off by default, so
    /// internals never leak; the exception is always logged.
    /// </summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>
    /// Concurrent streams a single HTTP/2 connection may carry. Default 10,000 (Kestrel's own
    /// default of 100 starves a client that holds many subscriptions).
    /// </summary>
    public int MaxStreamsPerConnection { get; set; } = 10_000;

    /// <summary>
    /// How long a connection may stay silent before the server pings it; with
    /// <see cref="KeepAlivePingTimeout"/> this is how a dead or frozen peer is noticed.
    /// Default 20 s; <see cref="Timeout.InfiniteTimeSpan"/> turns pings off.
    /// </summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long to wait for a ping's answer before closing the connection. Default 20 s.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// File mode of a Unix domain socket, which decides who may connect. Default owner-only
    /// (read and write for the user that runs the server).
    /// </summary>
    public UnixFileMode UnixSocketMode { get; set; } = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Serve the standard reflection service (<c>grpc.reflection.v1</c> and <c>v1alpha</c>), so tools
    /// such as grpcurl can list the services and call them without .proto files. It tells what the
    /// .proto files of the services say, nothing more. Default on.
    /// </summary>
    public bool EnableReflection { get; set; } = true;

    /// <summary>How long a stopping server lets calls finish before cancelling them. Default 5 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
