using Grpc.AspNetCore.Server;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RemoteModel.Grpc.Server;
using RemoteModel.Hosting.Monitoring;
using RemoteModel.Hosting.Telemetry;

namespace RemoteModel.Hosting;

/// <summary>
/// A RemoteModel server as an ASP.NET Core app on Kestrel: its endpoints, Kestrel's limits and
/// HTTP/2 keep-alive pings set for long-lived streams, grpc-dotnet's options from the <c>Grpc</c>
/// section, and the standard health and reflection services. The executables and the tests build
/// their servers here; any other ASP.NET Core app can call <see cref="AddGrpcServing"/> and
/// <see cref="MapGrpcServing"/> on its own builder.
/// </summary>
public static class GrpcServerApplication
{
    /// <summary>
    /// Kestrel's defaults for a RemoteModel server, each overridable in the <c>Kestrel</c> section
    /// (<c>Kestrel:Limits:Http2:KeepAlivePingDelay</c>, ...): 10,000 streams per HTTP/2
    /// connection (Kestrel's own 100 starves a client that holds many subscriptions), no minimum
    /// data rates and no request body cap (long-lived, mostly idle streams are the normal case;
    /// message sizes are limited per message), keep-alive pings after 20 s of silence with 20 s to
    /// answer (Kestrel's default sends none, so a dead or frozen peer would never be noticed).
    /// </summary>
    public static void ApplyDefaults(KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.AddServerHeader = false;
        var limits = kestrel.Limits;
        limits.MinRequestBodyDataRate = null;
        limits.MinResponseDataRate = null;
        limits.MaxRequestBodySize = null;
        limits.Http2.MaxStreamsPerConnection = 10_000;
        limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(20);
        limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
    }

    /// <summary>An app builder with nothing in it but <paramref name="configuration"/> and a gRPC server on <paramref name="listen"/> (<see cref="AddGrpcServing"/>).</summary>
    public static WebApplicationBuilder CreateBuilder(IConfiguration configuration, IReadOnlyList<string> listen)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddConfiguration(configuration);
        builder.WebHost.UseKestrelCore();
        builder.Services.AddGrpcServing(configuration, listen);
        return builder;
    }

    /// <summary>
    /// Adds gRPC on Kestrel as a RemoteModel server has it: endpoints <paramref name="listen"/>
    /// (none: the app's own), <see cref="ApplyDefaults"/> then the <c>Kestrel</c> section, the
    /// <c>Grpc</c> and <c>Tls</c> sections, health, reflection, the traffic monitor (<see cref="CallMonitorExtensions.AddCallMonitor"/>)
    /// and, when the <c>OpenTelemetry</c> section turns it on, tracing and metrics (<see cref="TelemetryExtensions.AddRemoteModelTelemetry"/>).
    /// </summary>
    public static IServiceCollection AddGrpcServing(this IServiceCollection services, IConfiguration configuration, IReadOnlyList<string> listen)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(listen);
        var tls = configuration.GetSection("Tls").Get<TlsOptions>() ?? new TlsOptions();
        services.Configure<KestrelServerOptions>(kestrel =>
        {
            ApplyDefaults(kestrel);
            foreach (var url in listen)
            {
                ListenAddress.Listen(kestrel, url, tls);
            }
        });
        services.Configure<KestrelServerOptions>(configuration.GetSection("Kestrel"));
        services.AddGrpc();
        services.Configure<GrpcServiceOptions>(configuration.GetSection("Grpc"));
        services.AddOptions<GrpcServingOptions>().Bind(configuration.GetSection("Grpc"));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HealthServiceImpl>();
        services.AddAuthenticatedGrpcService<HealthServiceImpl>();
        services.AddHostedService<ServingStatus>();
        services.AddGrpcReflection();
        services.AddCallMonitor();
        services.AddRemoteModelTelemetry(configuration);
        return services;
    }

    /// <summary>Maps the standard health service, the traffic monitor, and reflection unless <c>Grpc:EnableReflection</c> is false.</summary>
    public static IEndpointRouteBuilder MapGrpcServing(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapAuthenticatedGrpcService<HealthServiceImpl>();
        endpoints.MapCallMonitor();
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<GrpcServingOptions>>().Value.EnableReflection)
        {
            endpoints.MapGrpcReflectionService();
        }

        return endpoints;
    }

    /// <summary>The addresses the server listens on, as clients write them (<c>http://127.0.0.1:40123</c>, <c>unix:/path</c>); known once it has started.</summary>
    public static IReadOnlyList<string> GrpcAddresses(this IServiceProvider services) =>
        services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.Select(ListenAddress.ForClients).ToList() ?? [];

    /// <summary>
    /// The addresses to give others (<see cref="AdvertisedAddresses"/>, the one in the container or,
    /// without one, derived from <see cref="GrpcAddresses"/> alone); known once the server has started.
    /// </summary>
    public static IReadOnlyList<string> GrpcAdvertisedAddresses(this IServiceProvider services) =>
        (services.GetService<AdvertisedAddresses>() ?? new AdvertisedAddresses([])).For(services.GrpcAddresses());
}
