using System.Diagnostics;

namespace RemoteModel.Testing;

/// <summary>
/// Hosts for a multi-host test: each a Linux network namespace of its own with an <c>eth0</c> on
/// one virtual switch (a bridge in a namespace of its own, so nothing touches this machine's
/// own network) and the address the test chose, its loopback up. Processes run inside a host with
/// <c>ip netns exec</c>. Every name is unique to this test process (<c>rmt{pid}x{n}-...</c>);
/// disposing kills the hosts' processes and deletes the namespaces (with them, their links), and
/// creating a network first removes what a test process that died left behind. Needs root and
/// iproute2 (<see cref="OutsidePeers.NetworkNamespaces"/>).
/// </summary>
public sealed class VirtualNetwork : IAsyncDisposable
{
    private const string Prefix = "rmt";
    private static int _networks;

    private readonly string _switch;
    private readonly List<VirtualHost> _hosts = [];

    private VirtualNetwork(string name) => _switch = name + "-sw";

    /// <summary>The hosts, in the order their addresses were given.</summary>
    public IReadOnlyList<VirtualHost> Hosts => _hosts;

    /// <summary>Creates one host per address (in 192.0.2.0/24, the documentation range, /24 on the switch).</summary>
    public static async Task<VirtualNetwork> CreateAsync(params string[] addresses)
    {
        PeerRequirement.Require(Peer.NetworkNamespaces);
        await RemoveLeftoversAsync();
        var n = Interlocked.Increment(ref _networks);
        var network = new VirtualNetwork($"{Prefix}{Environment.ProcessId}x{n}");
        try
        {
            await IpAsync("netns", "add", network._switch);
            await IpAsync("-n", network._switch, "link", "add", "br0", "type", "bridge");
            await IpAsync("-n", network._switch, "link", "set", "br0", "up");
            for (var i = 0; i < addresses.Length; i++)
            {
                var host = new VirtualHost($"{Prefix}{Environment.ProcessId}x{n}-h{i}", addresses[i]);
                network._hosts.Add(host);

                // Link names are per namespace, but made here first, where they must be unique and short.
                var (inside, outside) = ($"v{Environment.ProcessId}n{n}h{i}", $"v{Environment.ProcessId}n{n}s{i}");
                await IpAsync("netns", "add", host.Namespace);
                await IpAsync("link", "add", inside, "type", "veth", "peer", "name", outside);
                await IpAsync("link", "set", inside, "netns", host.Namespace);
                await IpAsync("link", "set", outside, "netns", network._switch);
                await IpAsync("-n", host.Namespace, "link", "set", inside, "name", "eth0");
                await IpAsync("-n", host.Namespace, "addr", "add", $"{addresses[i]}/24", "dev", "eth0");
                await IpAsync("-n", host.Namespace, "link", "set", "eth0", "up");
                await IpAsync("-n", host.Namespace, "link", "set", "lo", "up");
                await IpAsync("-n", network._switch, "link", "set", outside, "master", "br0");
                await IpAsync("-n", network._switch, "link", "set", outside, "up");
            }

            return network;
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills every process started on the hosts, then deletes the hosts and the switch.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAllAsync();
        }

        foreach (var name in _hosts.Select(h => h.Namespace).Append(_switch))
        {
            await RunIpAsync("netns", "delete", name);
        }
    }

    /// <summary>Runs <c>ip</c>; throws with what it said when it fails.</summary>
    internal static async Task IpAsync(params string[] arguments)
    {
        var (exitCode, output) = await RunIpAsync(arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)} failed ({exitCode}): {output}");
        }
    }

    /// <summary>Runs <c>ip</c>: its exit code and everything it wrote.</summary>
    internal static async Task<(int ExitCode, string Output)> RunIpAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start ip.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await output) + (await error));
    }

    /// <summary>Deletes the namespaces of test processes that are gone (killed before they could clean up).</summary>
    private static async Task RemoveLeftoversAsync()
    {
        var (_, listed) = await RunIpAsync("netns", "list");
        foreach (var name in listed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]))
        {
            var x = name.IndexOf('x', StringComparison.Ordinal);
            if (name.StartsWith(Prefix, StringComparison.Ordinal) && x > Prefix.Length
                && int.TryParse(name[Prefix.Length..x], out var pid) && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
            {
                await RunIpAsync("netns", "delete", name);
            }
        }
    }
}

/// <summary>One host of a <see cref="VirtualNetwork"/>: a network namespace and its address.</summary>
public sealed class VirtualHost
{
    private readonly List<ChildProcess> _processes = [];

    internal VirtualHost(string name, string address)
    {
        Namespace = name;
        Address = address;
    }

    /// <summary>The network namespace (<c>ip netns exec NAME ...</c>).</summary>
    public string Namespace { get; }

    /// <summary>The host's address on the switch.</summary>
    public string Address { get; }

    /// <summary>Starts <paramref name="dll"/> with <c>dotnet</c> on this host; killed when the network is disposed.</summary>
    public ChildProcess Start(string dll, IEnumerable<string> arguments, IDictionary<string, string>? environment = null) =>
        StartProgram("dotnet", [dll, .. arguments], environment);

    /// <summary>Starts any program on this host; killed when the network is disposed.</summary>
    public ChildProcess StartProgram(string program, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        // ip netns exec execs the program itself: the child's PID is the program's.
        var process = ChildProcess.Start("ip", ["netns", "exec", Namespace, program, .. arguments], environment: environment);
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    /// <summary>Runs <paramref name="dll"/> on this host to its end: exit code, standard output, standard error.</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunAsync(string dll, IEnumerable<string> arguments, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        var process = Start(dll, arguments, environment);
        var exitCode = await process.WaitForExitAsync(timeout);
        return (exitCode, string.Join('\n', process.Lines), process.StandardError);
    }

    internal async Task StopAllAsync()
    {
        List<ChildProcess> processes;
        lock (_processes)
        {
            processes = [.. _processes];
        }

        foreach (var process in processes)
        {
            await process.DisposeAsync();
        }
    }
}
