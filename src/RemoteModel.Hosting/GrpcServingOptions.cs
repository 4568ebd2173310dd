namespace RemoteModel.Hosting;

/// <summary>
/// What a RemoteModel server adds to grpc-dotnet's own options, from the same <c>Grpc</c>
/// section (which also binds <c>GrpcServiceOptions</c>: <c>MaxReceiveMessageSize</c>, 4 MiB;
/// <c>MaxSendMessageSize</c>; <c>EnableDetailedErrors</c>, off).
/// </summary>
public sealed class GrpcServingOptions
{
    /// <summary>
    /// Serve the standard reflection service (<c>grpc.reflection.v1</c> and <c>v1alpha</c>), so tools
    /// such as grpcurl can list the services and call them without .proto files. It tells what the
    /// .proto files of the services say, nothing more. Default on.
    /// </summary>
    public bool EnableReflection { get; set; } = true;

    /// <summary>
    /// File mode of a Unix domain socket endpoint, which decides who may connect. Default owner-only
    /// (read and write for the user that runs the server).
    /// </summary>
    public UnixFileMode UnixSocketMode { get; set; } = UnixFileMode.UserRead | UnixFileMode.UserWrite;
}
