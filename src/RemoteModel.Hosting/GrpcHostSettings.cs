using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace RemoteModel.Hosting;

/// <summary>What a server executable tells <see cref="GrpcHost"/>.</summary>
public sealed class GrpcHostSettings
{
    /// <summary>What the server is, for its log lines: "Name server", "Model server".</summary>
    public required string Role { get; init; }

    /// <summary>The log category of the ready and stopped lines.</summary>
    public required string LoggerCategory { get; init; }

    /// <summary>The executable's configuration (see <see cref="Configuration.Build"/>).</summary>
    public required IConfigurationRoot Configuration { get; init; }

    /// <summary>Where to listen: <c>http://host:port</c>, <c>https://host:port</c>, <c>unix:/path</c>.</summary>
    public required IReadOnlyList<string> Listen { get; init; }

    /// <summary>
    /// What to give others as the server's addresses instead of what it listens on (URLs, or a host
    /// name alone; see <see cref="AdvertisedAddresses"/>). Default none: derived from the listen addresses.
    /// </summary>
    public IReadOnlyList<string> Advertise { get; init; } = [];

    /// <summary>Adds the executable's services (<c>AddRemoteModels</c>, <c>AddNameService</c>, its hosted services).</summary>
    public required Action<IServiceCollection> ConfigureServices { get; init; }

    /// <summary>Maps the executable's gRPC services (<c>MapRemoteModels</c>, <c>MapNameService</c>).</summary>
    public required Action<IEndpointRouteBuilder> MapServices { get; init; }
}
