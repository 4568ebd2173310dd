using Grpc.Core;
using Microsoft.Extensions.Hosting;

namespace RemoteModel.Grpc.Server;

/// <summary>
/// Says when the server is stopping, so that authenticated streams end with UNAVAILABLE at once
/// rather than holding the stop up until Kestrel gives up on them. It fires as the host begins to
/// stop (before any hosted service's StopAsync, the web server's included), after the hosted
/// services registered after it have been told (a model server's registrations end first).
/// </summary>
public sealed class ServerStopping : IHostedLifecycleService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Fires when the server begins to stop.</summary>
    public CancellationToken Token => _stopping.Token;

    /// <summary>
    /// Whether the server that serves <paramref name="context"/>, the context of an authenticated service's
    /// server-streaming call, is stopping (false for any other context).
    /// </summary>
    public static bool IsStopping(ServerCallContext context) => context is StoppableCallContext { IsStopping: true };

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken) => _stopping.CancelAsync();

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose() => _stopping.Dispose();
}
