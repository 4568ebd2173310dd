using System.Text.Json;
using RemoteModel.Testing;

namespace RemoteModel.Transport.Tests;

/// <summary>
/// Stock gRPC clients (python grpcio, @grpc/grpc-js) call this project's server through the same
/// list of cases. Each client runs once per fixture and reports one JSON line per case; each case
/// is its own test here.
/// </summary>
public abstract class ClientInteropTests(ClientRunFixture run)
{
    public static TheoryData<string> Cases => new(
        "unary", "unary_empty", "large_1mib", "oversized_request", "oversized_reply", "stream", "stream_empty",
        "stream_error_after_messages", "stream_error_immediately", "unary_error", "all_status_codes", "crash",
        "unknown_method", "unknown_service", "deadline", "cancel_stream", "metadata", "metadata_stream",
        "health_check", "health_watch", "gzip_request");

    protected async Task AssertCasePassed(string name)
    {
        var results = await run.ResultsAsync();
        Assert.True(results.TryGetValue(name, out var result), $"The client reported no case '{name}'. Output:\n{run.Output}");
        Assert.True(result.Ok, $"{name}: {result.Detail}");
    }
}

public sealed class PythonClientInteropTests(PythonClientRun run) : ClientInteropTests(run), IClassFixture<PythonClientRun>
{
    [PeerTheory(Peer.PythonGrpc)]
    [MemberData(nameof(Cases))]
    public Task Python_grpcio_client_case_passes(string name) => AssertCasePassed(name);
}

public sealed class NodeClientInteropTests(NodeClientRun run) : ClientInteropTests(run), IClassFixture<NodeClientRun>
{
    [PeerTheory(Peer.NodeGrpc)]
    [MemberData(nameof(Cases))]
    public Task Grpc_js_client_case_passes(string name) => AssertCasePassed(name);
}

public sealed record CaseResult(string Case, bool Ok, string Detail);

/// <summary>Runs one stock client against a fresh C# echo server, once, and keeps what it reported.</summary>
public abstract class ClientRunFixture : IAsyncLifetime
{
    private readonly EchoServerFixture _server = new();
    private Task<Dictionary<string, CaseResult>>? _results;

    public string Output { get; private set; } = string.Empty;

    protected abstract Peer Peer { get; }

    protected abstract (string File, string[] Arguments) Command(string target);

    public Task<Dictionary<string, CaseResult>> ResultsAsync() => _results ??= RunAsync();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    private async Task<Dictionary<string, CaseResult>> RunAsync()
    {
        PeerRequirement.Require(Peer);
        var target = new Uri(_server.Address).Authority;
        var (file, arguments) = Command(target);
        await using var client = ChildProcess.Start(file, arguments);
        var exitCode = await client.WaitForExitAsync(TimeSpan.FromMinutes(3));
        await Task.Delay(100); // let the last output lines arrive
        Output = string.Join('\n', client.Lines) + "\n" + client.StandardError;
        Assert.True(exitCode == 0, $"{file} exited with {exitCode}:\n{Output}");
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        return client.Lines
            .Where(line => line.StartsWith('{'))
            .Select(line => JsonSerializer.Deserialize<CaseResult>(line, options)!)
            .ToDictionary(r => r.Case);
    }
}

public sealed class PythonClientRun : ClientRunFixture
{
    protected override Peer Peer => Peer.PythonGrpc;

    protected override (string File, string[] Arguments) Command(string target) =>
        (OutsidePeers.Python, [RepositoryPaths.Combine("tests", "interop", "python", "echo_client.py"), "--target", target]);
}

public sealed class NodeClientRun : ClientRunFixture
{
    protected override Peer Peer => Peer.NodeGrpc;

    protected override (string File, string[] Arguments) Command(string target) =>
        ("node", [RepositoryPaths.Combine("tests", "interop", "node", "echo_client.js"), "--target", target]);
}
