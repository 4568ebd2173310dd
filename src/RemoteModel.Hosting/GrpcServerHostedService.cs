using Microsoft.Extensions.Hosting;
using RemoteModel.Transport.Server;

namespace RemoteModel.Hosting;

/// <summary>
/// Runs a <see cref="GrpcServer"/> for the lifetime of a host: started with it, and on Ctrl+C or
/// SIGTERM stopped gracefully (health NOT_SERVING, streams ended, calls given time to finish).
/// </summary>
/// <param name="server">The server to run.</param>
public sealed class GrpcServerHostedService(GrpcServer server) : IHostedService, IAsyncDisposable
{
    /// <summary>The server this service runs.</summary>
    public GrpcServer Server { get; } = server;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Server.StartAsync(cancellationToken);

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Server.StopAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
