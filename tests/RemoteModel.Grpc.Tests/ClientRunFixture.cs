using System.Text.Json;
using RemoteModel.Grpc.Authentication;
using RemoteModel.Testing;
using Xunit.Abstractions;

namespace RemoteModel.Grpc.Tests;

/// <summary>What a stock client reported for one case: one JSON line of its output.</summary>
public sealed record CaseResult(string Case, bool Ok, string Detail);

/// <summary>
/// Runs one stock client (tests/interop/python/<c>client</c>.py under python grpcio, or
/// tests/interop/node/<c>client</c>.js under @grpc/grpc-js) against a fresh C# echo server
/// (grpc-dotnet on Kestrel, <see cref="EchoServer"/>), once, and keeps the case results it
/// reported. A subclass may have the server verify calls and give the client process more
/// environment.
/// </summary>
public abstract class ClientRunFixture(Peer peer, string client) : IAsyncLifetime
{
    private LoopbackServer _server = null!;
    private Task<Dictionary<string, CaseResult>>? _results;

    public string Output { get; private set; } = string.Empty;

    public Task<Dictionary<string, CaseResult>> ResultsAsync() => _results ??= RunAsync();

    /// <summary>
    /// Fails unless the client reported case <paramref name="name"/> as passed; with
    /// <paramref name="output"/>, first writes what the client saw there.
    /// </summary>
    public async Task AssertCasePassedAsync(string name, ITestOutputHelper? output = null)
    {
        var results = await ResultsAsync();
        Assert.True(results.TryGetValue(name, out var result), $"The client reported no case '{name}'. Output:\n{Output}");
        output?.WriteLine(result.Detail);
        Assert.True(result.Ok, $"{name}: {result.Detail}");
    }

    public async Task InitializeAsync() => _server = await EchoServer.StartAsync(verifier: CreateVerifier());

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>What the server checks every call with; none (calls served as they come) by default.</summary>
    protected virtual CallVerifier? CreateVerifier() => null;

    /// <summary>Variables the client process gets beyond this process's own; none by default.</summary>
    protected virtual IDictionary<string, string>? ClientEnvironment => null;

    /// <summary>Further checks on the output (stdout, then stderr) of a client that exited cleanly.</summary>
    protected virtual void CheckOutput(string output)
    {
    }

    private async Task<Dictionary<string, CaseResult>> RunAsync()
    {
        PeerRequirement.Require(peer);
        var target = new Uri(_server.Address).Authority;
        var (file, arguments) = Command(target);
        await using var process = ChildProcess.Start(file, arguments, environment: ClientEnvironment);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromMinutes(3));
        Output = string.Join('\n', process.Lines) + "\n" + process.StandardError;
        Assert.True(exitCode == 0, $"{file} exited with {exitCode}:\n{Output}");
        CheckOutput(Output);
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        return process.Lines
            .Where(line => line.StartsWith('{'))
            .Select(line => JsonSerializer.Deserialize<CaseResult>(line, options)!)
            .ToDictionary(r => r.Case);
    }

    private (string File, string[] Arguments) Command(string target) => peer switch
    {
        Peer.PythonGrpc => (OutsidePeers.Python, [RepositoryPaths.Combine("tests", "interop", "python", client + ".py"), "--target", target]),
        Peer.NodeGrpc => ("node", [RepositoryPaths.Combine("tests", "interop", "node", client + ".js"), "--target", target]),
        _ => throw new ArgumentOutOfRangeException(nameof(peer), peer, "no stock client runs under this peer"),
    };
}
