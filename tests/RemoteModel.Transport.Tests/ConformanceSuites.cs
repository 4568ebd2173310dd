using RemoteModel.Testing;
using RemoteModel.Transport.Client;

namespace RemoteModel.Transport.Tests;

/// <summary>The conformance suite against this project's own server.</summary>
public sealed class CSharpServerConformanceTests(EchoServerFixture server) : EchoConformanceTests, IClassFixture<EchoServerFixture>
{
    protected override GrpcChannel Channel => server.Channel;
}

/// <summary>The conformance suite against python grpcio's server: the C# client proven against a stock peer.</summary>
[RequiresPeers(Peer.PythonGrpc)]
public sealed class PythonServerConformanceTests(PythonEchoServerFixture server) : EchoConformanceTests, IClassFixture<PythonEchoServerFixture>
{
    protected override GrpcChannel Channel => server.Channel;
}
