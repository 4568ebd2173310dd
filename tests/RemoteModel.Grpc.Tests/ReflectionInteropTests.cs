using RemoteModel.Testing;

namespace RemoteModel.Grpc.Tests;

/// <summary>
/// python grpcio and @grpc/grpc-js, knowing no Echo stubs, use the C# server's reflection service
/// as grpcurl does: list the services, fetch Echo's file with its imports, build the messages from
/// those descriptors alone and call Echo.Unary with them; v1 and v1alpha; errors answered in the stream.
/// </summary>
public sealed class PythonReflectionInteropTests(PythonReflectionClientRun run) : IClassFixture<PythonReflectionClientRun>
{
    public static TheoryData<string> Cases => new(
        "list_services", "describe_and_call", "by_filename_and_dependencies_once_a_stream",
        "unknown_names_are_not_found_and_the_stream_goes_on", "extension_numbers_of_a_proto3_message", "v1alpha");

    [PeerTheory(Peer.PythonGrpc)]
    [MemberData(nameof(Cases))]
    public Task Python_grpcio_reflection_case_passes(string name) => run.AssertCasePassedAsync(name);
}

public sealed class NodeReflectionInteropTests(NodeReflectionClientRun run) : IClassFixture<NodeReflectionClientRun>
{
    public static TheoryData<string> Cases => new("list_services", "describe_and_call", "unknown_symbol_is_not_found_and_the_stream_goes_on", "v1alpha");

    [PeerTheory(Peer.NodeGrpc)]
    [MemberData(nameof(Cases))]
    public Task Grpc_js_reflection_case_passes(string name) => run.AssertCasePassedAsync(name);
}

/// <summary>python grpcio's reflection_client.py against a C# echo server.</summary>
public sealed class PythonReflectionClientRun() : ClientRunFixture(Peer.PythonGrpc, "reflection_client");

/// <summary>@grpc/grpc-js's reflection_client.js against a C# echo server.</summary>
public sealed class NodeReflectionClientRun() : ClientRunFixture(Peer.NodeGrpc, "reflection_client");
