using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using RemoteModel.Grpc.Authentication;

namespace RemoteModel.Grpc.Server;

/// <summary>
/// Serving a gRPC service with its calls checked by the <see cref="CallVerifier"/> in the
/// container (none: served unchecked and unsealed), in the style of <c>AddGrpc</c> and
/// <c>MapGrpcService</c>. Only the services mapped this way are checked; the app's other gRPC
/// services are left as they are.
/// </summary>
public static class AuthenticatedServiceExtensions
{
    /// <summary>Adds what serving <typeparamref name="TService"/> as an authenticated service needs (gRPC itself included).</summary>
    public static IServiceCollection AddAuthenticatedGrpcService<TService>(this IServiceCollection services)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddGrpc();
        services.TryAddSingleton<ServerStopping>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ServerStopping>(provider => provider.GetRequiredService<ServerStopping>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<TService>, AuthenticatedMethodProvider<TService>>());
        return services;
    }

    /// <summary>
    /// Maps <typeparamref name="TService"/> (added with <see cref="AddAuthenticatedGrpcService{TService}"/>)
    /// with every unary and server-streaming call checked before its handler runs.
    /// </summary>
    public static GrpcServiceEndpointConventionBuilder MapAuthenticatedGrpcService<TService>(this IEndpointRouteBuilder endpoints)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var builder = endpoints.MapGrpcService<TService>();

        // grpc-dotnet also binds the generated methods as they are; those endpoints yield to the checked ones.
        builder.Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder route
                && endpoint.Metadata.OfType<GrpcMethodMetadata>().Any()
                && !endpoint.Metadata.OfType<AuthenticatedMethodMetadata>().Any())
            {
                route.Order = 1;
            }
        });
        return builder;
    }
}
