using Grpc.Core;
using RemoteModel.Testing;

namespace RemoteModel.Grpc.Tests;

/// <summary>The conformance suite against this project's own server (grpc-dotnet on Kestrel, the echo service mapped authenticated).</summary>
public sealed class CSharpServerConformanceTests(EchoServerFixture server) : EchoConformanceTests, IClassFixture<EchoServerFixture>
{
    protected override ChannelBase Channel => server.Channel;
}

/// <summary>The conformance suite against python grpcio's server: the C# client proven against a stock peer.</summary>
[RequiresPeers(Peer.PythonGrpc)]
public sealed class PythonServerConformanceTests(PythonEchoServerFixture server) : EchoConformanceTests, IClassFixture<PythonEchoServerFixture>
{
    protected override ChannelBase Channel => server.Channel;
}
