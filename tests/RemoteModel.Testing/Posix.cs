using System.Runtime.InteropServices;

namespace RemoteModel.Testing;

/// <summary>Signals for process tests: SIGTERM for graceful stops, SIGSTOP/SIGCONT to freeze a peer.</summary>
public static partial class Posix
{
    public const int SigTerm = 15;
    public const int SigKill = 9;
    public const int SigStop = 19;
    public const int SigCont = 18;
    public const int SigInt = 2;

    public static void Kill(int pid, int signal)
    {
        if (kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
