using Microsoft.Extensions.Hosting;

namespace RemoteModel.Hosting;

/// <summary>
/// The host's lifetime in place of the console lifetime, which swallows every Ctrl+C: the first
/// signal stops the host gracefully, a second one ends the process at once (<see cref="ShutdownSignal"/>).
/// </summary>
public sealed class SignalLifetime(IHostApplicationLifetime application) : IHostLifetime, IDisposable
{
    private ShutdownSignal? _signal;

    /// <inheritdoc />
    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        _signal = new ShutdownSignal();
        _signal.Token.Register(application.StopApplication);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose() => _signal?.Dispose();
}
