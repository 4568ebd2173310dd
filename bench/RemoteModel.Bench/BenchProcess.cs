using RemoteModel.Testing;

namespace RemoteModel.Bench;

/// <summary>This bench program started again as a child process in one of its server modes (serve-echo, serve-model).</summary>
internal static class BenchProcess
{
    /// <summary>
    /// The shared array pool's arrays per partition in the bench's client process (default 32). The delivery workloads read
    /// up to 10,000 subscriptions in that one process; SocketsHttpHandler rents a 16 KiB block from the pool for each stream
    /// with data waiting, and one change reaching 1,000 streams at once empties a default pool, so every frame after that
    /// allocates a block: a cost of hosting a thousand viewers in one process that viewers in processes of their own do not
    /// pay. The servers measured run with the default.
    /// </summary>
    public const string ClientPoolVariable = "DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION";

    /// <summary>What <see cref="ClientPoolVariable"/> is set to for the client process.</summary>
    public const string ClientPoolArrays = "4096";

    /// <summary>
    /// The garbage collector's concurrent mode, which this bench's own (client) process runs without (its project file);
    /// a server measured runs with it, as remotemodel-server and the product's other executables do (the runtime's
    /// default). It matters for memory: without it, the runtime sizes gen0's budget from the L3 cache (32 MiB here) where
    /// it otherwise caps it at 6 MiB, and that much more garbage stays resident between collections.
    /// </summary>
    public const string ConcurrentGcVariable = "DOTNET_gcConcurrent";

    /// <summary>Runs this bench again, with the same arguments, as the client process (<see cref="ClientPoolVariable"/> set); returns its exit code.</summary>
    public static async Task<int> RunAgainWithClientPoolAsync(string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        foreach (var argument in SelfArguments().Concat(args))
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment[ClientPoolVariable] = ClientPoolArrays;
        using var client = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException("Could not start the bench again.");
        await client.WaitForExitAsync();
        return client.ExitCode;
    }

    /// <summary>Starts <c>bench MODE</c> and waits for its <c>LISTENING PORT</c> line; returns the process and its address.</summary>
    public static async Task<(ChildProcess Process, string Address)> StartAsync(string mode, IDictionary<string, string>? environment = null)
    {
        // A server measured runs with the runtime's default pool, not the client's (an empty value is no value), and with the product's garbage collector.
        var serverEnvironment = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            [ClientPoolVariable] = string.Empty,
            [ConcurrentGcVariable] = "1",
        };
        var process = ChildProcess.Start(Environment.ProcessPath!, [.. SelfArguments(), mode], environment: serverEnvironment);
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

    /// <summary>What runs this bench program again: nothing when it is its own apphost, its assembly when started by <c>dotnet</c>.</summary>
    private static string[] SelfArguments() =>
        Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? [typeof(Measurement).Assembly.Location] : [];

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
