using System.Diagnostics;
using Grpc.Net.Client;
using RemoteModel.Grpc.Client;
using RemoteModel.Testing;
using RemoteModel.Testing.V1;

namespace RemoteModel.Grpc.Tests;

/// <summary>
/// Kestrel's HTTP/2 settings as a RemoteModel server has them (<c>GrpcServerApplication.ApplyDefaults</c>,
/// overridable under <c>Kestrel:Limits:Http2</c>): keep-alive pings that notice a frozen peer,
/// and streams enough per connection for thousands of idle subscriptions.
/// </summary>
public sealed class ConnectionTests
{
    private static readonly TimeSpan PingDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(1);

    // What Kestrel adds to delay plus timeout: each of its two checks (silence long enough to
    // ping, ping unanswered long enough) errs one second late on purpose and runs on its
    // once-a-second heartbeat; and this machine may be busy.
    private static readonly TimeSpan KestrelMargin = 2 * (TimeSpan.FromSeconds(1) + TimeSpan.FromSeconds(1));
    private static readonly TimeSpan SchedulingSlack = TimeSpan.FromSeconds(1);

    [PeerFact(Peer.PythonGrpc)]
    public async Task A_frozen_peer_is_evicted_within_the_ping_delay_plus_timeout_while_a_live_one_stays()
    {
        var service = new EchoService();
        await using var server = await EchoServer.StartAsync(service, settings: new Dictionary<string, string?>
        {
            ["Kestrel:Limits:Http2:KeepAlivePingDelay"] = PingDelay.ToString(),
            ["Kestrel:Limits:Http2:KeepAlivePingTimeout"] = PingTimeout.ToString(),
        });

        // A live peer holding a stream (Grpc.Net.Client answers pings by itself), and a python grpcio peer holding another.
        using var channel = SignedChannel.ForAddress(server.Address);
        using var live = new Echo.EchoClient(channel).Stream(new StreamRequest { Count = 2, IntervalMs = 600_000 });
        Assert.True(await live.ResponseStream.MoveNext(CancellationToken.None));
        await using var peer = ChildProcess.Start(OutsidePeers.Python,
            [RepositoryPaths.Combine("tests", "interop", "python", "hold_stream.py"), "--target", new Uri(server.Address).Authority]);
        await peer.WaitForLineAsync("HOLDING", TimeSpan.FromSeconds(30));

        // Frozen, the peer's kernel still holds the connection open, but nothing answers a ping.
        var frozen = Stopwatch.StartNew();
        peer.Signal(Posix.SigStop);
        await service.FirstCancellation.WaitAsync(TimeSpan.FromSeconds(30));
        var evictedAfter = frozen.Elapsed;

        // Kestrel's defaults (20 s + 20 s) would take far longer: the settings are in force.
        var bound = PingDelay + PingTimeout + KestrelMargin + SchedulingSlack;
        Assert.True(evictedAfter <= bound, $"The frozen peer's stream ended {evictedAfter.TotalSeconds:0.0} s after the freeze; at most {bound.TotalSeconds} s was expected.");
        Assert.Equal(1, service.CancelledCalls);
        await EchoServer.AssertServesAsync(channel);
        Assert.False(live.ResponseStream.MoveNext(CancellationToken.None).IsCompleted, "The live peer's stream ended too.");
    }

    [Fact]
    public async Task Ten_thousand_idle_streams_live_on_one_connection_to_one_server()
    {
        const int streams = 10_000;
        var service = new EchoService();
        await using var server = await EchoServer.StartAsync(service);

        // One connection only: were the server to allow fewer streams on it (Kestrel's own default
        // is 100), the calls past that would wait in the client for a free one and never start.
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { UseProxy = false, EnableMultipleHttp2Connections = false },
        });
        var client = new Echo.EchoClient(channel);
        var calls = Enumerable.Range(0, streams).Select(_ => client.Stream(new StreamRequest { Count = 2, IntervalMs = 600_000 })).ToList();
        try
        {
            // Each has its first reply and waits ten minutes for the second: all idle at once.
            var started = await Task.WhenAll(calls.Select(c => c.ResponseStream.MoveNext(CancellationToken.None))).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.All(started, Assert.True);
            using var another = SignedChannel.ForAddress(server.Address);
            await EchoServer.AssertServesAsync(another);
        }
        finally
        {
            calls.ForEach(c => c.Dispose());
        }

        await Eventually.TrueAsync(() => Task.FromResult(service.CancelledCalls == streams), $"the server to see all {streams} streams cancelled");
    }
}
