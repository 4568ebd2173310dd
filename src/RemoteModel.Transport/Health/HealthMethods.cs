using Grpc.Health.V1;

namespace RemoteModel.Transport.Health;

/// <summary>The methods of <c>grpc.health.v1.Health</c>, taken from its descriptor.</summary>
public static class HealthMethods
{
    /// <summary>The service's full name.</summary>
    public static readonly string ServiceName = HealthReflection.Descriptor.Services[0].FullName;

    /// <summary><c>Check</c>: the status now.</summary>
    public static readonly Method<HealthCheckRequest, HealthCheckResponse> Check =
        Method<HealthCheckRequest, HealthCheckResponse>.Create(HealthReflection.Descriptor.Services[0], "Check");

    /// <summary><c>Watch</c>: the status now, then every change.</summary>
    public static readonly Method<HealthCheckRequest, HealthCheckResponse> Watch =
        Method<HealthCheckRequest, HealthCheckResponse>.Create(HealthReflection.Descriptor.Services[0], "Watch");
}
