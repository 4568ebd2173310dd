using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RemoteModel.Grpc.Server;
using RemoteModel.Naming.Embedded;
using RemoteModel.Naming.Registry;
using RemoteModel.Security;

namespace RemoteModel.Naming.Server;

/// <summary>
/// Hosting the name service in any ASP.NET Core app, in the style of <c>AddGrpc</c> and
/// <c>MapGrpcService</c>: <c>builder.Services.AddNameService(); app.MapNameService();</c>. Calls
/// are verified with the app's keys (<c>Auth</c> section) and checked against their scopes.
/// </summary>
public static class NameServiceExtensions
{
    /// <summary>
    /// Adds the naming service with the <c>Naming</c> section's settings (validated at start), over
    /// the <see cref="IRegistryStore"/> in the container (none: an embedded store in this process).
    /// </summary>
    public static IServiceCollection AddNameService(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddServerAuthentication();
        services.AddOptions<NamingServiceOptions>()
            .BindConfiguration("Naming")
            .Validate(o => o.Problem() is null, NamingServiceOptions.Rules)
            .ValidateOnStart();
        services.TryAddSingleton<IRegistryStore>(provider => new EmbeddedRegistryStore(new EmbeddedRegistryOptions(), provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(provider => new NamingService(
            provider.GetRequiredService<IRegistryStore>(),
            provider.GetRequiredService<IOptions<NamingServiceOptions>>().Value,
            provider.GetRequiredService<ServerAuthentication>().Permissions is { } permissions ? new KeyRegistryAuthorizer(permissions) : null,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<NamingService>>()));
        services.AddAuthenticatedGrpcService<NamingService>();
        return services;
    }

    /// <summary>Maps the naming service (<c>remotemodel.v1.Naming</c>) added with <see cref="AddNameService"/>.</summary>
    public static GrpcServiceEndpointConventionBuilder MapNameService(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapAuthenticatedGrpcService<NamingService>();
}
