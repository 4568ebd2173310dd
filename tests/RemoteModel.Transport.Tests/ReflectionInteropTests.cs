using RemoteModel.Testing;

namespace RemoteModel.Transport.Tests;

/// <summary>
/// python grpcio, knowing no Echo stubs, uses the C# server's reflection service as grpcurl does:
/// lists the services, fetches Echo's file with its imports, builds the messages from those
/// descriptors alone and calls Echo.Unary with them; v1 and v1alpha; errors answered in the stream.
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

/// <summary>python grpcio's reflection_client.py against a C# echo server.</summary>
public sealed class PythonReflectionClientRun() : ClientRunFixture(Peer.PythonGrpc, "reflection_client");
