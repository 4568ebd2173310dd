using System.Globalization;
using System.Text.Json;
using RemoteModel.Testing;

namespace RemoteModel.Bench;

/// <summary>
/// The systems users would otherwise pick, doing the same work in their own processes
/// (bench/peers/*.py): each prints one JSON line per workload.
/// </summary>
internal sealed record PythonPeers(string System, string Script, string[] ServerArguments, Func<string?> Problem, PeerWorkload[] Workloads)
{
    /// <summary>The transport's workloads, as the peers name them and as the results do.</summary>
    private static readonly PeerWorkload[] Transport =
    [
        new("unary-latency", TransportWorkloads.UnaryLatency),
        new("unary-throughput", TransportWorkloads.UnaryThroughput),
        new("stream", TransportWorkloads.Stream),
    ];

    /// <summary>The name server's workloads (pyro4_ns_bench.py).</summary>
    private static readonly PeerWorkload[] Naming =
    [
        new("lookup-latency", NamingWorkloads.LookupLatency),
        new("lookup-throughput", NamingWorkloads.LookupThroughput),
        new("register-unregister", NamingWorkloads.RegisterUnregister),
        new("watch-latency", NamingWorkloads.WatchLatency),
    ];

    /// <summary>The model server's workloads (pyro4_model_bench.py).</summary>
    private static readonly PeerWorkload[] Model =
    [
        new("query-latency", ModelWorkloads.QueryLatency),
        new("query-throughput", ModelWorkloads.QueryThroughput),
        .. ModelWorkloads.ViewerCounts.SelectMany(n => new PeerWorkload[]
        {
            new($"deliver-paced-{n}", ModelWorkloads.PacedDelivery(n)),
            new($"deliver-saturated-{n}", ModelWorkloads.SaturatedDelivery(n)),
            new($"deliver-controllers-{n}", ModelWorkloads.ConcurrentDelivery(n)),
        }),
    ];

    public static readonly PythonPeers[] All =
    [
        new("python grpcio", "grpcio_bench.py", [], () => OutsidePeers.PythonGrpc, Transport),
        new("Pyro4 (serpent)", "pyro4_bench.py", ["--serializer", "serpent"], () => OutsidePeers.Pyro4, Transport),
        new("Pyro4 (marshal)", "pyro4_bench.py", ["--serializer", "marshal"], () => OutsidePeers.Pyro4, Transport),
        new("Pyro4 NS", "pyro4_ns_bench.py", [], () => OutsidePeers.Pyro4, Naming),
        new("Pyro4 (serpent)", "pyro4_model_bench.py", [], () => OutsidePeers.Pyro4, Model),
    ];

    /// <summary>Starts the peer's server, runs one workload with its client, and reads the client's result line.</summary>
    public async Task<Measurement> RunAsync(PeerWorkload workload, double seconds)
    {
        var script = RepositoryPaths.Combine("bench", "peers", Script);
        await using var server = ChildProcess.Start(OutsidePeers.Python, [script, "server", "--port", "0", .. ServerArguments]);
        var port = await server.WaitForLineAsync("LISTENING", TimeSpan.FromSeconds(30));
        await using var client = ChildProcess.Start(OutsidePeers.Python,
            [script, "client", "--target", $"127.0.0.1:{port}", "--workload", workload.Id, "--seconds", seconds.ToString(CultureInfo.InvariantCulture), .. ServerArguments]);
        var exit = await client.WaitForExitAsync(TimeSpan.FromSeconds(seconds * 4 + 120));
        var line = client.Lines.LastOrDefault(l => l.StartsWith('{'))
            ?? throw new InvalidOperationException($"{Script} {workload.Id} printed no result (exit {exit}): {client.StandardError}");
        var result = JsonSerializer.Deserialize<PeerResult>(line, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        return new Measurement(workload.Name, result.System ?? System, result.Median_Us, result.P99_Us, result.Ops_Per_Sec, result.Count);
    }

    private sealed record PeerResult(string? System, double? Median_Us, double? P99_Us, double Ops_Per_Sec, long Count);
}

/// <summary>A workload as a peer script takes it (<c>--workload Id</c>) and as the results name it.</summary>
internal sealed record PeerWorkload(string Id, string Name);
