using RemoteModel.Testing;

namespace RemoteModel.Bench;

/// <summary>This bench program started again as a child process in one of its server modes (serve-echo, serve-model).</summary>
internal static class BenchProcess
{
    /// <summary>Starts <c>bench MODE</c> and waits for its <c>LISTENING PORT</c> line; returns the process and its address.</summary>
    public static async Task<(ChildProcess Process, string Address)> StartAsync(string mode, IDictionary<string, string>? environment = null)
    {
        var self = Environment.ProcessPath!;
        string[] selfArguments = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [typeof(Measurement).Assembly.Location] : [];
        var process = ChildProcess.Start(self, [.. selfArguments, mode], environment: environment);
        try
        {
            var port = await process.WaitForLineAsync("LISTENING", TimeSpan.FromSeconds(30));
            return (process, $"http://127.0.0.1:{port}");
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>The resident set size of a process (VmRSS in /proc/PID/status), in bytes.</summary>
    public static long ResidentBytes(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>The processor time a process has used (utime + stime in /proc/PID/stat).</summary>
    public static TimeSpan ProcessorTime(int processId)
    {
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ
    }
}
