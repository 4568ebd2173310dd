using System.Runtime.InteropServices;

namespace RemoteModel.Viewer;

/// <summary>
/// Turns the first Ctrl+C or SIGTERM into a cancellation, so the viewer ends its subscription
/// (and so drops out of the registry) and says so; a second one ends the process at once.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _stopping;
    private readonly PosixSignalRegistration[] _registrations;

    public ShutdownSignal(CancellationToken outer)
    {
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    public CancellationToken Token => _stopping.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stopping.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // The first asks for a graceful stop; the default action (exit) is left to a second.
        context.Cancel = !_stopping.IsCancellationRequested;
        _stopping.Cancel();
    }
}
