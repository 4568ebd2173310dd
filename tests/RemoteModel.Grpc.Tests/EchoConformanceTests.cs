using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using RemoteModel.Testing;
using RemoteModel.Testing.V1;

namespace RemoteModel.Grpc.Tests;

/// <summary>
/// What any gRPC echo server must do for the stock C# client (Grpc.Net.Client through
/// <see cref="Client.SignedChannel"/>), written once and run against the C# server and against
/// python grpcio's: the client proven against a stock server, the server proven against the same
/// expectations.
/// </summary>
public abstract class EchoConformanceTests
{
    private static readonly byte[] BinaryValue = [0, 1, 2, 255];

    protected abstract ChannelBase Channel { get; }

    private Echo.EchoClient Client => new(Channel);

    [PeerFact]
    public async Task Unary_round_trips_the_payload()
    {
        var reply = await Client.UnaryAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("hello") });
        Assert.Equal("hello", reply.Payload.ToStringUtf8());
    }

    [PeerFact]
    public async Task Unary_with_an_empty_message_answers_an_empty_message()
    {
        var reply = await Client.UnaryAsync(new EchoRequest());
        Assert.True(reply.Payload.IsEmpty);
    }

    [PeerFact]
    public async Task A_1_MiB_message_round_trips_byte_exactly()
    {
        var payload = new byte[1024 * 1024];
        new Random(7).NextBytes(payload);
        var reply = await Client.UnaryAsync(new EchoRequest { Payload = ByteString.CopyFrom(payload) });
        Assert.Equal(payload, reply.Payload.ToByteArray());
    }

    [PeerFact]
    public async Task An_oversized_request_is_refused_with_resource_exhausted()
    {
        var request = new EchoRequest { Payload = ByteString.CopyFrom(new byte[5 * 1024 * 1024]) };
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        // The channel still works afterwards.
        await EchoServer.AssertServesAsync(Channel);
    }

    [PeerFact]
    public async Task An_oversized_response_is_refused_by_the_client_with_resource_exhausted()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(new EchoRequest { ReplySize = 5 * 1024 * 1024 }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [PeerFact]
    public async Task A_stream_delivers_every_message_in_order()
    {
        using var call = Client.Stream(new StreamRequest { Count = 100, PayloadSize = 10 });
        var replies = await call.ResponseStream.ReadAllAsync().ToListAsync();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), replies.Select(r => r.Sequence));
        Assert.All(replies, r => Assert.Equal(10, r.Payload.Length));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [PeerFact]
    public async Task An_empty_stream_ends_ok_with_no_messages()
    {
        using var call = Client.Stream(new StreamRequest { Count = 0 });
        Assert.Empty(await call.ResponseStream.ReadAllAsync().ToListAsync());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [PeerFact]
    public async Task An_error_after_messages_arrives_after_them_with_its_exact_message()
    {
        const string detail = "état: ✓ 100% done";
        using var call = Client.Stream(new StreamRequest
        {
            Count = 3,
            FailAfter = new Failure { Code = (int)StatusCode.FailedPrecondition, Message = detail },
        });
        var received = new List<EchoReply>();
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var reply in call.ResponseStream.ReadAllAsync())
            {
                received.Add(reply);
            }
        });
        Assert.Equal(3, received.Count);
        Assert.Equal(new Status(StatusCode.FailedPrecondition, detail), error.Status);
    }

    [PeerFact]
    public async Task An_error_before_any_message_ends_the_stream_at_once()
    {
        using var call = Client.Stream(new StreamRequest
        {
            FailAfter = new Failure { Code = (int)StatusCode.PermissionDenied, Message = "nope" },
        });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.ReadAllAsync().ToListAsync().AsTask());
        Assert.Equal(new Status(StatusCode.PermissionDenied, "nope"), error.Status);
    }

    [PeerFact]
    public async Task Every_status_code_and_a_non_ascii_message_arrive_exactly()
    {
        for (var code = 1; code <= 16; code++)
        {
            var detail = $"code {code}: не найдено 50% ✓";
            var error = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(
                new EchoRequest { Fail = new Failure { Code = code, Message = detail } }).ResponseAsync);
            Assert.Equal(new Status((StatusCode)code, detail), error.Status);
        }
    }

    [PeerFact]
    public async Task A_crashing_handler_answers_unknown_without_its_internals()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(
            new EchoRequest { Fail = new Failure { Crash = true } }).ResponseAsync);
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.DoesNotContain(EchoService.SecretDetail, error.Status.Detail);
    }

    [PeerFact]
    public async Task An_unknown_method_and_an_unknown_service_answer_unimplemented()
    {
        // Echo.Unimplemented is declared in echo.proto and bound by no server; Unserved is served by none.
        var method = await Assert.ThrowsAsync<RpcException>(() => Client.UnimplementedAsync(new EchoRequest()).ResponseAsync);
        var service = await Assert.ThrowsAsync<RpcException>(() => new Unserved.UnservedClient(Channel).UnaryAsync(new EchoRequest()).ResponseAsync);
        Assert.Equal((StatusCode.Unimplemented, StatusCode.Unimplemented), (method.StatusCode, service.StatusCode));
    }

    [PeerFact]
    public async Task A_deadline_ends_the_call_and_reaches_the_server()
    {
        var before = await Stats();
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(
            new EchoRequest { DelayMs = 60_000 }, deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        await Eventually.TrueAsync(async () => (await Stats()).CancelledCalls > before.CancelledCalls, "the server to see the deadline");
    }

    [PeerFact]
    public async Task Disposing_a_stream_midway_cancels_it_on_both_sides()
    {
        var before = await Stats();
        var call = Client.Stream(new StreamRequest { Count = 1_000_000, IntervalMs = 1 });
        var received = 0;
        await foreach (var _ in call.ResponseStream.ReadAllAsync())
        {
            if (++received == 5)
            {
                break;
            }
        }

        call.Dispose();
        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
        await Eventually.TrueAsync(async () => (await Stats()).CancelledCalls > before.CancelledCalls, "the server to see the cancellation");
    }

    [PeerFact]
    public async Task Cancelling_the_token_of_a_read_cancels_the_stream_on_both_sides()
    {
        var before = await Stats();
        using var cancellation = new CancellationTokenSource();
        using var call = Client.Stream(new StreamRequest { Count = 2, IntervalMs = 600_000 }, cancellationToken: cancellation.Token);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        // The second message is ten minutes away: only the cancellation can end the wait.
        var waiting = call.ResponseStream.MoveNext(CancellationToken.None);
        await cancellation.CancelAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => waiting);
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await Eventually.TrueAsync(async () => (await Stats()).CancelledCalls > before.CancelledCalls, "the server to see the cancellation");
    }

    [PeerFact]
    public async Task Metadata_travels_both_ways_text_and_binary()
    {
        var headers = new Metadata { { "x-echo-text", "hello world" }, { "x-echo-data-bin", BinaryValue } };
        using var call = Client.UnaryAsync(new EchoRequest { EchoMetadata = true }, headers);
        await call;
        foreach (var received in new[] { await call.ResponseHeadersAsync, call.GetTrailers() })
        {
            Assert.Equal("hello world", received.GetValue("x-echo-text"));
            Assert.Equal(BinaryValue, received.GetValueBytes("x-echo-data-bin"));
        }
    }

    [PeerFact]
    public async Task Metadata_travels_both_ways_on_a_stream()
    {
        var headers = new Metadata { { "x-echo-text", "stream" }, { "x-echo-data-bin", new byte[] { 9, 8 } } };
        using var call = Client.Stream(new StreamRequest { Count = 2, EchoMetadata = true }, headers);
        Assert.Equal("stream", (await call.ResponseHeadersAsync).GetValue("x-echo-text"));
        Assert.Equal(2, (await call.ResponseStream.ReadAllAsync().ToListAsync()).Count);
        Assert.Equal(new byte[] { 9, 8 }, call.GetTrailers().GetValueBytes("x-echo-data-bin"));
    }

    [PeerFact]
    public async Task The_health_service_answers_check()
    {
        var health = new Health.HealthClient(Channel);
        foreach (var service in new[] { string.Empty, Echo.Descriptor.FullName })
        {
            var reply = await health.CheckAsync(new HealthCheckRequest { Service = service });
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => health.CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [PeerFact]
    public async Task The_health_service_answers_watch_with_the_current_status()
    {
        using var call = new Health.HealthClient(Channel).Watch(new HealthCheckRequest());
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, call.ResponseStream.Current.Status);
    }

    private async Task<StatsReply> Stats() => await Client.StatsAsync(new StatsRequest());
}
