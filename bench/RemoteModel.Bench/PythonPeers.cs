using System.Globalization;
using System.Text.Json;
using RemoteModel.Testing;

namespace RemoteModel.Bench;

/// <summary>
/// The systems users would otherwise pick, doing the same work in their own processes
/// (bench/peers/*.py): each prints one JSON line per workload.
/// </summary>
internal sealed record PythonPeers(string System, string Script, string[] ServerArguments, Func<string?> Problem)
{
    public static readonly PythonPeers[] All =
    [
        new("python grpcio", "grpcio_bench.py", [], () => OutsidePeers.PythonGrpc),
        new("Pyro4 (serpent)", "pyro4_bench.py", ["--serializer", "serpent"], () => OutsidePeers.Pyro4),
        new("Pyro4 (marshal)", "pyro4_bench.py", ["--serializer", "marshal"], () => OutsidePeers.Pyro4),
    ];

    public async Task<Measurement> RunAsync(string workload, double seconds)
    {
        var script = RepositoryPaths.Combine("bench", "peers", Script);
        await using var server = ChildProcess.Start(OutsidePeers.Python, [script, "server", "--port", "0", .. ServerArguments]);
        var port = await server.WaitForLineAsync("LISTENING", TimeSpan.FromSeconds(30));
        await using var client = ChildProcess.Start(OutsidePeers.Python,
            [script, "client", "--target", $"127.0.0.1:{port}", "--workload", workload, "--seconds", seconds.ToString(CultureInfo.InvariantCulture), .. ServerArguments]);
        var exit = await client.WaitForExitAsync(TimeSpan.FromSeconds(seconds * 4 + 60));
        var line = client.Lines.LastOrDefault(l => l.StartsWith('{'))
            ?? throw new InvalidOperationException($"{Script} {workload} printed no result (exit {exit}): {client.StandardError}");
        var result = JsonSerializer.Deserialize<PeerResult>(line, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        var name = workload switch
        {
            "unary-latency" => "unary latency (sequential)",
            "unary-throughput" => "unary throughput (32 callers)",
            _ => "server stream (16-byte messages)",
        };
        return new Measurement(name, result.System ?? System, result.Median_Us, result.P99_Us, result.Ops_Per_Sec, result.Count);
    }

    private sealed record PeerResult(string? System, double? Median_Us, double? P99_Us, double Ops_Per_Sec, long Count);
}
