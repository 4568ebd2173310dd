using Grpc.AspNetCore.Server;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace RemoteModel.Hosting;

/// <summary>
/// Says through the standard health service what the server serves: SERVING for the server
/// (<c>""</c>) and each mapped gRPC service once it listens, NOT_SERVING for all of them the
/// moment it begins to stop; and makes each Unix socket it listens on as private as configured.
/// </summary>
internal sealed class ServingStatus(
    HealthServiceImpl health, EndpointDataSource endpoints, IServer server, IOptions<GrpcServingOptions> options, IHostApplicationLifetime lifetime)
    : IHostedLifecycleService
{
    private List<string> _services = [];

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses.Select(ListenAddress.ForClients) ?? [])
        {
            if (address.StartsWith("unix:", StringComparison.Ordinal) && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(address["unix:".Length..], options.Value.UnixSocketMode);
            }
        }

        _services = ["", .. endpoints.Endpoints.SelectMany(e => e.Metadata.OfType<GrpcMethodMetadata>()).Select(m => m.Method.ServiceName).Distinct()];
        Set(HealthCheckResponse.Types.ServingStatus.Serving);
        lifetime.ApplicationStopping.Register(() => Set(HealthCheckResponse.Types.ServingStatus.NotServing));
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // A stop that begins with the host's StopAsync tells the lifecycle services (last added first)
    // before ApplicationStopping fires: this one, added after ServerStopping, says NOT_SERVING
    // before ServerStopping ends the health watchers' streams, so they hear it.
    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        Set(HealthCheckResponse.Types.ServingStatus.NotServing);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Set(HealthCheckResponse.Types.ServingStatus status)
    {
        foreach (var service in _services)
        {
            health.SetStatus(service, status);
        }
    }
}
