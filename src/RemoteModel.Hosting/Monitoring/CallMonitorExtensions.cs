using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RemoteModel.Grpc.Authentication;
using RemoteModel.Grpc.Monitoring;
using RemoteModel.Grpc.Server;
using RemoteModel.Security;

namespace RemoteModel.Hosting.Monitoring;

/// <summary>
/// The traffic monitor in any ASP.NET Core app, in the style of <c>AddGrpc</c> and
/// <c>MapGrpcService</c>: every call of the app's authenticated services is handed to the
/// <see cref="CallMonitor"/>, and <c>remotemodel.v1.Monitor/Watch</c> streams them to admins.
/// Every RemoteModel server has it (<see cref="GrpcServerApplication.AddGrpcServing"/>).
/// </summary>
public static class CallMonitorExtensions
{
    /// <summary>
    /// Adds the call monitor and its service, with the <c>Monitor</c> section's limits (validated
    /// at start). Watching needs scope admin where calls are verified (a <see cref="CallVerifier"/>
    /// in the container, with <see cref="ServerAuthentication"/> when there is one); an app that
    /// verifies nothing serves it to everyone, as it serves everything else.
    /// </summary>
    public static IServiceCollection AddCallMonitor(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<MonitorOptions>()
            .BindConfiguration("Monitor")
            .Validate(o => o.IsValid, MonitorOptions.Rules)
            .ValidateOnStart();
        services.TryAddSingleton(provider => new CallMonitor(provider.GetRequiredService<TimeProvider>(), provider.GetService<CallVerifier>()));
        services.TryAddSingleton(provider => new MonitorService(
            provider.GetRequiredService<CallMonitor>(),
            provider.GetService<ServerAuthentication>()?.Permissions
                ?? (provider.GetService<CallVerifier>() is null ? null : new KeyPermissions(new AuthOptions(), provider.GetService<ILogger<KeyPermissions>>())),
            provider.GetRequiredService<IOptions<MonitorOptions>>()));
        services.AddAuthenticatedGrpcService<MonitorService>();
        return services;
    }

    /// <summary>Maps <c>remotemodel.v1.Monitor</c>, added with <see cref="AddCallMonitor"/>.</summary>
    public static GrpcServiceEndpointConventionBuilder MapCallMonitor(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapAuthenticatedGrpcService<MonitorService>();
}
