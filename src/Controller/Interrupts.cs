using System.Runtime.InteropServices;

namespace RemoteModel.Controller;

/// <summary>
/// Ctrl+C and SIGTERM for the controller. Ctrl+C while code runs cancels that evaluation; a second
/// one, if it does not stop, ends the process at once. Ctrl+C at the prompt drops the unfinished
/// submission; twice in a row, it leaves. SIGTERM cancels what runs and leaves; code that does
/// not stop within <see cref="TerminationGrace"/> is left behind (exit code 143).
/// </summary>
internal sealed class Interrupts : IDisposable
{
    /// <summary>How long SIGTERM waits for running code to stop before the process exits anyway.</summary>
    public static readonly TimeSpan TerminationGrace = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly PosixSignalRegistration[] _registrations;
    private CancellationTokenSource? _evaluation;
    private int _promptInterrupts;

    public Interrupts(TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnInterrupt), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnTerminate)];
    }

    /// <summary>Ctrl+C at the prompt, the first time: what was typed so far is dropped.</summary>
    public event Action? AtPrompt;

    /// <summary>Fires when the session is to end: SIGTERM, or Ctrl+C twice at the prompt.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Starts an evaluation; its token fires on Ctrl+C or SIGTERM. Dispose the result when it ends.</summary>
    public Evaluation BeginEvaluation()
    {
        lock (_gate)
        {
            _evaluation = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            return new Evaluation(this, _evaluation);
        }
    }

    /// <summary>A line was read: the next Ctrl+C at the prompt is a first one again.</summary>
    public void LineRead()
    {
        lock (_gate)
        {
            _promptInterrupts = 0;
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stopping.Dispose();
    }

    private void OnInterrupt(PosixSignalContext context)
    {
        Action? atPrompt = null;
        lock (_gate)
        {
            if (_evaluation is { } evaluation)
            {
                // A second Ctrl+C for an evaluation that did not stop gets the default action: exit.
                context.Cancel = !evaluation.IsCancellationRequested;
                evaluation.Cancel();
            }
            else
            {
                context.Cancel = true;
                atPrompt = () => InterruptAtPrompt();
            }
        }

        atPrompt?.Invoke();
    }

    /// <summary>Ctrl+C at the prompt, from the signal or typed into the line editor: true to go on, false when it was the second in a row and the session ends.</summary>
    public bool InterruptAtPrompt()
    {
        Action? atPrompt = null;
        lock (_gate)
        {
            if (++_promptInterrupts >= 2)
            {
                _stopping.Cancel();
            }
            else
            {
                atPrompt = AtPrompt;
            }
        }

        atPrompt?.Invoke();
        return !_stopping.IsCancellationRequested;
    }

    private void OnTerminate(PosixSignalContext context)
    {
        context.Cancel = true;
        lock (_gate)
        {
            _stopping.Cancel();
            if (_evaluation is not null)
            {
                // Cancelled code that ignores its token must not keep a stopping process alive.
                _ = Task.Delay(TerminationGrace, _time).ContinueWith(_ => Environment.Exit(128 + 15), TaskScheduler.Default);
            }
        }
    }

    private void End(CancellationTokenSource evaluation)
    {
        lock (_gate)
        {
            if (_evaluation == evaluation)
            {
                _evaluation = null;
            }
        }

        evaluation.Dispose();
    }

    /// <summary>One running evaluation.</summary>
    public sealed class Evaluation(Interrupts owner, CancellationTokenSource source) : IDisposable
    {
        public CancellationToken Token { get; } = source.Token;

        public void Dispose() => owner.End(source);
    }
}
