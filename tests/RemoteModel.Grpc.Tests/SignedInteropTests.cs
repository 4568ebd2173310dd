using System.Security.Cryptography;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Verification;
using RemoteModel.Testing;
using RemoteModel.Grpc.Authentication;
using Xunit.Abstractions;

namespace RemoteModel.Grpc.Tests;

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

    // Each test's output shows what the client saw, refusal messages included.
    protected Task AssertCasePassed(string name) => run.AssertCasePassedAsync(name, output);
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
/// a client may, so the secret is never on its command line (nor in its output).
/// </summary>
public abstract class SignedClientRunFixture(Peer peer) : ClientRunFixture(peer, "signed_client")
{
    private const string KeyId = "interop";

    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(AccessKey.MinSecretLength);

    protected override IDictionary<string, string> ClientEnvironment =>
        new Dictionary<string, string> { ["REMOTEMODEL_KEY"] = $"{KeyId}:{Convert.ToBase64String(_secret)}" };

    // The echo service checks no scopes; the key needs none beyond being known.
    protected override CallVerifier CreateVerifier() =>
        new HmacCallVerifier(KeyringSource.Fixed(new Keyring([new AccessKey(KeyId, _secret, KeyScopes.Read)], KeyId)));

    protected override void CheckOutput(string output) => Assert.DoesNotContain(Convert.ToBase64String(_secret), output);
}

public sealed class PythonSignedClientRun() : SignedClientRunFixture(Peer.PythonGrpc);

public sealed class NodeSignedClientRun() : SignedClientRunFixture(Peer.NodeGrpc);
