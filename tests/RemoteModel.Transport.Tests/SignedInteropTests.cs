using System.Security.Cryptography;
using System.Text.Json;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Verification;
using RemoteModel.Testing;
using RemoteModel.Transport.Server;
using Xunit.Abstractions;

namespace RemoteModel.Transport.Tests;

/// <summary>
/// Stock gRPC clients (python grpcio, @grpc/grpc-js) that implement docs/security.md on their
/// own sign calls to this project's verifying server and check the seals of its answers. Each
/// client runs once per fixture and reports one JSON line per case; each case is its own test.
/// </summary>
public abstract class SignedInteropTests(SignedClientRunFixture run, ITestOutputHelper output)
{
    public static TheoryData<string> Cases => new(
        "vector", "signed_unary", "signed_stream", "signed_error", "tampered_body", "bad_signature",
        "replay", "stale", "unknown_key", "impostor_detected");

    protected async Task AssertCasePassed(string name)
    {
        var results = await run.ResultsAsync();
        Assert.True(results.TryGetValue(name, out var result), $"The client reported no case '{name}'. Output:\n{run.Output}");
        output.WriteLine(result.Detail); // what the client saw, refusal messages included
        Assert.True(result.Ok, $"{name}: {result.Detail}");
    }
}

public sealed class PythonSignedInteropTests(PythonSignedClientRun run, ITestOutputHelper output) : SignedInteropTests(run, output), IClassFixture<PythonSignedClientRun>
{
    [PeerTheory(Peer.PythonGrpc)]
    [MemberData(nameof(Cases))]
    public Task Python_grpcio_signed_case_passes(string name) => AssertCasePassed(name);
}

public sealed class NodeSignedInteropTests(NodeSignedClientRun run, ITestOutputHelper output) : SignedInteropTests(run, output), IClassFixture<NodeSignedClientRun>
{
    [PeerTheory(Peer.NodeGrpc)]
    [MemberData(nameof(Cases))]
    public Task Grpc_js_signed_case_passes(string name) => AssertCasePassed(name);
}

/// <summary>
/// Runs one signing client, once, against a fresh C# echo server that verifies calls with a key
/// made for this run; the client gets the key through REMOTEMODEL_KEY, as docs/security.md says
/// a client may, so the secret is never on its command line.
/// </summary>
public abstract class SignedClientRunFixture : IAsyncLifetime
{
    private const string KeyId = "interop";

    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(AccessKey.MinSecretLength);
    private GrpcServer _server = null!;
    private Task<Dictionary<string, CaseResult>>? _results;

    public string Output { get; private set; } = string.Empty;

    protected abstract Peer Peer { get; }

    protected abstract (string File, string[] Arguments) Command(string target);

    public Task<Dictionary<string, CaseResult>> ResultsAsync() => _results ??= RunAsync();

    public async Task InitializeAsync()
    {
        // The echo service checks no scopes; the key needs none beyond being known.
        var keyring = new Keyring([new AccessKey(KeyId, _secret, KeyScopes.Read)], KeyId);
        _server = GrpcServer.CreateBuilder()
            .Listen("http://127.0.0.1:0")
            .AddService(new EchoService().Bind())
            .UseCallVerifier(new HmacCallVerifier(KeyringSource.Fixed(keyring)))
            .Build();
        await _server.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<Dictionary<string, CaseResult>> RunAsync()
    {
        PeerRequirement.Require(Peer);
        var target = new Uri(_server.Addresses[0]).Authority;
        var (file, arguments) = Command(target);
        var environment = new Dictionary<string, string> { ["REMOTEMODEL_KEY"] = $"{KeyId}:{Convert.ToBase64String(_secret)}" };
        await using var client = ChildProcess.Start(file, arguments, environment: environment);
        var exitCode = await client.WaitForExitAsync(TimeSpan.FromMinutes(3));
        await Task.Delay(100); // let the last output lines arrive
        Output = string.Join('\n', client.Lines) + "\n" + client.StandardError;
        Assert.True(exitCode == 0, $"{file} exited with {exitCode}:\n{Output}");
        Assert.DoesNotContain(Convert.ToBase64String(_secret), Output);
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        return client.Lines
            .Where(line => line.StartsWith('{'))
            .Select(line => JsonSerializer.Deserialize<CaseResult>(line, options)!)
            .ToDictionary(r => r.Case);
    }
}

public sealed class PythonSignedClientRun : SignedClientRunFixture
{
    protected override Peer Peer => Peer.PythonGrpc;

    protected override (string File, string[] Arguments) Command(string target) =>
        (OutsidePeers.Python, [RepositoryPaths.Combine("tests", "interop", "python", "signed_client.py"), "--target", target]);
}

public sealed class NodeSignedClientRun : SignedClientRunFixture
{
    protected override Peer Peer => Peer.NodeGrpc;

    protected override (string File, string[] Arguments) Command(string target) =>
        ("node", [RepositoryPaths.Combine("tests", "interop", "node", "signed_client.js"), "--target", target]);
}
