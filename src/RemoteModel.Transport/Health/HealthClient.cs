using Grpc.Health.V1;
using RemoteModel.Transport.Client;

namespace RemoteModel.Transport.Health;

/// <summary>A typed client for the standard health service.</summary>
/// <param name="channel">The channel to the server to probe.</param>
public sealed class HealthClient(GrpcChannel channel)
{
    /// <summary>The status of <paramref name="service"/> (empty: the whole server).</summary>
    /// <exception cref="RpcException">NOT_FOUND for a service the server does not know.</exception>
    public Task<HealthCheckResponse> CheckAsync(string service, CallOptions options = default) =>
        channel.UnaryAsync(HealthMethods.Check, new HealthCheckRequest { Service = service }, options);

    /// <summary>The status of <paramref name="service"/> now, then each change.</summary>
    public ServerStreamingCall<HealthCheckResponse> Watch(string service, CallOptions options = default) =>
        channel.ServerStreaming(HealthMethods.Watch, new HealthCheckRequest { Service = service }, options);
}
