using RemoteModel.Testing;

namespace RemoteModel.Grpc.Tests;

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

    protected Task AssertCasePassed(string name) => run.AssertCasePassedAsync(name);
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

/// <summary>python grpcio's echo_client.py against an unauthenticated C# echo server.</summary>
public sealed class PythonClientRun() : ClientRunFixture(Peer.PythonGrpc, "echo_client");

/// <summary>@grpc/grpc-js's echo_client.js against an unauthenticated C# echo server.</summary>
public sealed class NodeClientRun() : ClientRunFixture(Peer.NodeGrpc, "echo_client");
