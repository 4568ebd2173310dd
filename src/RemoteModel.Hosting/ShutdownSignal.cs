using System.Runtime.InteropServices;

namespace RemoteModel.Hosting;

/// <summary>
/// Turns the first Ctrl+C or SIGTERM into a cancellation, so a program can end its work
/// gracefully (unregister, end streams, flush logs); a second Ctrl+C ends the process at once, as
/// people expect of a console program that is taking too long to stop.
/// </summary>
public sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _stopping;
    private readonly PosixSignalRegistration[] _registrations;
    private readonly Action? _exitingNow;
    private int _interrupts;

    /// <summary>Starts listening for SIGINT (Ctrl+C) and SIGTERM.</summary>
    /// <param name="outer">Cancels <see cref="Token"/> too, as a first signal would.</param>
    /// <param name="exitingNow">Runs just before a second Ctrl+C ends the process (a launcher ends its children there).</param>
    public ShutdownSignal(CancellationToken outer = default, Action? exitingNow = null)
    {
        _exitingNow = exitingNow;
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    /// <summary>Fires at the first signal.</summary>
    public CancellationToken Token => _stopping.Token;

    /// <inheritdoc />
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
        var interrupts = context.Signal == PosixSignal.SIGINT ? Interlocked.Increment(ref _interrupts) : _interrupts;
        _stopping.Cancel();

        // Only a second Ctrl+C means "now", and is left its default action (exit). A SIGTERM never
        // cuts the graceful stop short: it may come from a service manager, or from a launcher
        // passing the stop on to a process that had Ctrl+C from the terminal at the same moment.
        context.Cancel = interrupts < 2;
        if (!context.Cancel)
        {
            _exitingNow?.Invoke();
        }
    }
}
