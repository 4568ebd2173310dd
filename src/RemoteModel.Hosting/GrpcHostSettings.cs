using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Transport.Server;

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

    /// <summary>The gRPC services to serve, made from the host's services.</summary>
    public required Func<IServiceProvider, IEnumerable<ServiceDefinition>> Services { get; init; }

    /// <summary>Adds the executable's services; hosted services added here start after the gRPC server listens and stop before it.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }
}
