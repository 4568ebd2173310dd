using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RemoteModel.Grpc.Authentication;

namespace RemoteModel.Security;

/// <summary>Adding a server's authentication to a service container.</summary>
public static class ServerAuthenticationExtensions
{
    /// <summary>
    /// Adds <see cref="ServerAuthentication"/> as the <c>Auth</c> section of the app's
    /// configuration says (validated at start), and its verifier as the <see cref="CallVerifier"/>
    /// of every authenticated service; with <c>Auth:Enabled=false</c> there is none, and those
    /// services serve everyone.
    /// </summary>
    public static IServiceCollection AddServerAuthentication(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<AuthOptions>()
            .BindConfiguration("Auth")
            .Validate(o => o.ClockSkew > TimeSpan.Zero && o.KeyringCheckInterval > TimeSpan.Zero && o.MaxRememberedNonces > 0,
                "Auth:ClockSkew and Auth:KeyringCheckInterval must be positive times, Auth:MaxRememberedNonces a positive number.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => ServerAuthentication.Create(
            provider.GetRequiredService<IOptions<AuthOptions>>().Value,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton<CallVerifier>(provider => provider.GetRequiredService<ServerAuthentication>().Verifier!);
        return services;
    }
}
