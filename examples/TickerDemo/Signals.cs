using System.Runtime.InteropServices;

namespace RemoteModel.Examples.TickerDemo;

/// <summary>SIGTERM for a child: .NET's Process can only kill.</summary>
internal static partial class Signals
{
    private const int SigTerm = 15;

    public static void Terminate(int pid)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        _ = kill(pid, SigTerm);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
