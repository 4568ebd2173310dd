using System.Diagnostics;

namespace RemoteModel.Testing;

/// <summary>
/// The real, non-.NET programs tests talk to. Each check answers null when the peer is usable,
/// or the reason it is not, including how to install it.
/// </summary>
public static class OutsidePeers
{
    /// <summary>Debian's interpreter: the one python3-grpcio is installed for.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>True under CI, where a missing peer fails a test instead of skipping it.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static readonly Lazy<string?> PythonGrpcProblem = new(() =>
        Runs(Python, "-c \"import grpc, grpc_tools, google.protobuf\"")
            ? null
            : $"python grpcio is not usable through {Python}: install it with `apt-get install python3-grpcio python3-grpc-tools python3-protobuf`");

    private static readonly Lazy<string?> PyroProblem = new(() =>
        Runs(Python, "-c \"import Pyro4\"") ? null : "Pyro4 is missing: `apt-get install python3-pyro4`");

    // The interop clients and the example client each have their own package.json.
    private static readonly Lazy<string?> NodeGrpcProblem = new(() =>
        new[] { "tests/interop/node", "examples/node" }.All(p => Directory.Exists(RepositoryPaths.Combine(p, "node_modules", "@grpc", "grpc-js"))) && Runs("node", "--version")
            ? null
            : "@grpc/grpc-js is not installed: run `npm ci --prefix tests/interop/node` and `npm ci --prefix examples/node`");

    private static readonly Lazy<string?> EtcdProblem = new(() =>
        FindOnPath("etcd") is not null ? null : "etcd is not installed: `apt-get install etcd-server`");

    private static readonly Lazy<string?> ConsulProblem = new(() =>
        FindOnPath("consul") is not null ? null : "no `consul` binary on PATH (Consul cannot be installed in this environment; the live Consul tests run where it can)");

    // Creating and deleting a namespace is the only sure test: root in a container may still lack the capability.
    private static readonly Lazy<string?> NetworkNamespacesProblem = new(() =>
        !OperatingSystem.IsLinux() ? "network namespaces are Linux's"
        : !IsRoot() ? "network namespaces need root: run the tests as root (CI does)"
        : FindOnPath("ip") is not { } ip ? "iproute2's `ip` is missing: `apt-get install iproute2`"
        : Runs(ip, $"netns add rmt-probe-{Environment.ProcessId}") && Runs(ip, $"netns delete rmt-probe-{Environment.ProcessId}") ? null
        : "`ip netns add` failed: this machine (or container) does not let root create network namespaces");
    /// <summary>Debian's browser and its WebDriver, where the web view's browser tests expect them.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Debian's chromium-driver.</summary>
    public const string ChromeDriverPath = "/usr/bin/chromedriver";

    private static readonly Lazy<string?> ChromiumProblem = new(() =>
        File.Exists(ChromiumPath) && File.Exists(ChromeDriverPath)
            ? null
            : $"chromium or chromedriver is missing ({ChromiumPath}, {ChromeDriverPath}): `apt-get install chromium chromium-driver`");

    public static string? Chromium => ChromiumProblem.Value;

    public static string? PythonGrpc => PythonGrpcProblem.Value;

    public static string? NetworkNamespaces => NetworkNamespacesProblem.Value;

    private static bool IsRoot() => File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0");

    public static string? Etcd => EtcdProblem.Value;

    public static string? Consul => ConsulProblem.Value;

    /// <summary>The full path of <paramref name="program"/> on PATH, or null.</summary>
    public static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    public static string? Pyro4 => PyroProblem.Value;

    public static string? NodeGrpc => NodeGrpcProblem.Value;

    private static bool Runs(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }

            if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
