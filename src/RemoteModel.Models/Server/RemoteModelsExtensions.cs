using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RemoteModel.Grpc.Server;
using RemoteModel.Security;

namespace RemoteModel.Models.Server;

/// <summary>
/// Hosting models in any ASP.NET Core app, in the style of <c>AddGrpc</c> and <c>MapGrpcService</c>:
/// <code>
/// builder.Services.AddRemoteModels((models, services) => models.Add("ticker", new TickerModel()));
/// app.MapRemoteModels();
/// </code>
/// Calls to the model service are verified with the app's keys (<c>Auth</c> section) and checked
/// against their scopes; the app's other endpoints are left as they are.
/// </summary>
public static class RemoteModelsExtensions
{
    /// <summary>
    /// Adds the model service: a <see cref="ModelRegistry"/> with the <c>Models</c> section's
    /// limits (validated at start), filled by <paramref name="addModels"/>; the
    /// <see cref="ModelService"/> with key authorization (<see cref="ServerAuthenticationExtensions.AddServerAuthentication"/>),
    /// and gRPC. An <see cref="IViewerDirectory"/> in the container lists the viewers.
    /// </summary>
    public static IServiceCollection AddRemoteModels(this IServiceCollection services, Action<ModelRegistry, IServiceProvider>? addModels = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddServerAuthentication();
        services.AddOptions<ModelHostOptions>()
            .BindConfiguration("Models")
            .Validate(o => o.Problem() is null, ModelHostOptions.LimitsMustBePositive)
            .ValidateOnStart();
        services.TryAddSingleton(provider =>
        {
            var registry = new ModelRegistry(
                provider.GetRequiredService<IOptions<ModelHostOptions>>().Value,
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILoggerFactory>(),
                provider.GetService<IViewerDirectory>());
            addModels?.Invoke(registry, provider);
            return registry;
        });
        services.TryAddSingleton(provider => new ModelService(
            provider.GetRequiredService<ModelRegistry>(),
            provider.GetRequiredService<ServerAuthentication>().Permissions is { } permissions ? new KeyModelAuthorizer(permissions) : null,
            provider.GetRequiredService<ILogger<ModelService>>()));
        services.AddAuthenticatedGrpcService<ModelService>();
        return services;
    }

    /// <summary>Maps the model service (<c>remotemodel.v1.Model</c>) added with <see cref="AddRemoteModels"/>.</summary>
    public static GrpcServiceEndpointConventionBuilder MapRemoteModels(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapAuthenticatedGrpcService<ModelService>();
}
