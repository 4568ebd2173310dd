using System.Text;
using Google.Protobuf;
using Grpc.Health.V1;
using RemoteModel.Testing;
using RemoteModel.Testing.V1;
using RemoteModel.Transport;
using RemoteModel.Transport.Client;
using RemoteModel.Transport.Health;

namespace RemoteModel.Transport.Tests;

/// <summary>
/// What any gRPC echo server must do for the C# client, written once and run against the C#
/// server and against python grpcio's: the client proven against a stock server, the server
/// proven against the same expectations.
/// </summary>
public abstract class EchoConformanceTests
{
    protected abstract GrpcChannel Channel { get; }

    [PeerFact]
    public async Task Unary_round_trips_the_payload()
    {
        var reply = await Channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Payload = ByteString.CopyFromUtf8("hello") });
        Assert.Equal("hello", reply.Payload.ToStringUtf8());
    }

    [PeerFact]
    public async Task Unary_with_an_empty_message_answers_an_empty_message()
    {
        var reply = await Channel.UnaryAsync(EchoMethods.Unary, new EchoRequest());
        Assert.True(reply.Payload.IsEmpty);
    }

    [PeerFact]
    public async Task A_1_MiB_message_round_trips_byte_exactly()
    {
        var payload = new byte[1024 * 1024];
        new Random(7).NextBytes(payload);
        var reply = await Channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Payload = ByteString.CopyFrom(payload) });
        Assert.Equal(payload, reply.Payload.ToByteArray());
    }

    [PeerFact]
    public async Task An_oversized_request_is_refused_with_resource_exhausted()
    {
        var request = new EchoRequest { Payload = ByteString.CopyFrom(new byte[5 * 1024 * 1024]) };
        var error = await Assert.ThrowsAsync<RpcException>(() => Channel.UnaryAsync(EchoMethods.Unary, request));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        // The channel still works afterwards.
        Assert.Equal("ok", (await Channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Payload = ByteString.CopyFromUtf8("ok") })).Payload.ToStringUtf8());
    }

    [PeerFact]
    public async Task An_oversized_response_is_refused_by_the_client_with_resource_exhausted()
    {
        var error = await Assert.ThrowsAsync<RpcException>(
            () => Channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { ReplySize = 5 * 1024 * 1024 }));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [PeerFact]
    public async Task A_stream_delivers_every_message_in_order()
    {
        using var call = Channel.ServerStreaming(EchoMethods.Stream, new StreamRequest { Count = 100, PayloadSize = 10 });
        var replies = await ReadAll(call);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), replies.Select(r => r.Sequence));
        Assert.All(replies, r => Assert.Equal(10, r.Payload.Length));
        Assert.Equal(StatusCode.OK, call.Status?.Code);
    }

    [PeerFact]
    public async Task An_empty_stream_ends_ok_with_no_messages()
    {
        using var call = Channel.ServerStreaming(EchoMethods.Stream, new StreamRequest { Count = 0 });
        Assert.Empty(await ReadAll(call));
        Assert.Equal(StatusCode.OK, call.Status?.Code);
    }

    [PeerFact]
    public async Task An_error_after_messages_arrives_after_them_with_its_exact_message()
    {
        const string detail = "état: ✓ 100% done";
        using var call = Channel.ServerStreaming(EchoMethods.Stream, new StreamRequest
        {
            Count = 3,
            FailAfter = new Failure { Code = (int)StatusCode.FailedPrecondition, Message = detail },
        });
        var received = new List<EchoReply>();
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var reply in call.ReadAllAsync())
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
        using var call = Channel.ServerStreaming(EchoMethods.Stream, new StreamRequest
        {
            FailAfter = new Failure { Code = (int)StatusCode.PermissionDenied, Message = "nope" },
        });
        var error = await Assert.ThrowsAsync<RpcException>(() => ReadAll(call));
        Assert.Equal(new Status(StatusCode.PermissionDenied, "nope"), error.Status);
    }

    [PeerFact]
    public async Task Every_status_code_and_a_non_ascii_message_arrive_exactly()
    {
        for (var code = 1; code <= 16; code++)
        {
            var detail = $"code {code}: не найдено 50% ✓";
            var error = await Assert.ThrowsAsync<RpcException>(() => Channel.UnaryAsync(EchoMethods.Unary,
                new EchoRequest { Fail = new Failure { Code = code, Message = detail } }));
            Assert.Equal(new Status((StatusCode)code, detail), error.Status);
        }
    }

    [PeerFact]
    public async Task A_crashing_handler_answers_unknown_without_its_internals()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Channel.UnaryAsync(EchoMethods.Unary,
            new EchoRequest { Fail = new Failure { Crash = true } }));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.DoesNotContain(EchoService.SecretDetail, error.Status.Detail);
    }

    [PeerFact]
    public async Task An_unknown_method_and_an_unknown_service_answer_unimplemented()
    {
        foreach (var method in new[] { EchoMethods.Unimplemented, EchoMethods.UnservedUnary })
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => Channel.UnaryAsync(method, new EchoRequest()));
            Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        }
    }

    [PeerFact]
    public async Task A_deadline_ends_the_call_and_reaches_the_server()
    {
        var before = await Stats();
        var error = await Assert.ThrowsAsync<RpcException>(() => Channel.UnaryAsync(EchoMethods.Unary,
            new EchoRequest { DelayMs = 5000 }, new CallOptions { Timeout = TimeSpan.FromMilliseconds(300) }));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        await Eventually.TrueAsync(async () => (await Stats()).CancelledCalls > before.CancelledCalls, "the server to see the deadline");
    }

    [PeerFact]
    public async Task Cancelling_a_stream_midway_reaches_the_server()
    {
        var before = await Stats();
        var call = Channel.ServerStreaming(EchoMethods.Stream, new StreamRequest { Count = 1_000_000, IntervalMs = 1 });
        var received = 0;
        await foreach (var _ in call.ReadAllAsync())
        {
            if (++received == 5)
            {
                break;
            }
        }

        call.Dispose();
        Assert.Equal(StatusCode.Cancelled, call.Status?.Code);
        await Eventually.TrueAsync(async () => (await Stats()).CancelledCalls > before.CancelledCalls, "the server to see the cancellation");
    }

    [PeerFact]
    public async Task Metadata_travels_both_ways_text_and_binary()
    {
        var headers = new Metadata().Add("x-echo-text", "hello world").Add("x-echo-data-bin", new byte[] { 0, 1, 2, 255 });
        var result = await Channel.UnaryWithMetadataAsync(EchoMethods.Unary, new EchoRequest { EchoMetadata = true },
            new CallOptions { Headers = headers });
        foreach (var received in new[] { result.Headers, result.Trailers })
        {
            Assert.Equal("hello world", received.GetValue("x-echo-text"));
            Assert.Equal(new byte[] { 0, 1, 2, 255 }, received.GetBytes("x-echo-data-bin"));
        }
    }

    [PeerFact]
    public async Task Metadata_travels_both_ways_on_a_stream()
    {
        var headers = new Metadata().Add("x-echo-text", "stream").Add("x-echo-data-bin", new byte[] { 9, 8 });
        using var call = Channel.ServerStreaming(EchoMethods.Stream, new StreamRequest { Count = 2, EchoMetadata = true },
            new CallOptions { Headers = headers });
        Assert.Equal("stream", (await call.GetResponseHeadersAsync()).GetValue("x-echo-text"));
        Assert.Equal(2, (await ReadAll(call)).Count);
        Assert.Equal(new byte[] { 9, 8 }, call.Trailers.GetBytes("x-echo-data-bin"));
    }

    [PeerFact]
    public async Task The_health_service_answers_check()
    {
        var health = new HealthClient(Channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(string.Empty)).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(EchoMethods.ServiceName)).Status);
        var error = await Assert.ThrowsAsync<RpcException>(() => health.CheckAsync("no.such.Service"));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [PeerFact]
    public async Task The_health_service_answers_watch_with_the_current_status()
    {
        using var call = new HealthClient(Channel).Watch(string.Empty);
        await foreach (var status in call.ReadAllAsync())
        {
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, status.Status);
            break;
        }
    }

    protected async Task<StatsReply> Stats() => await Channel.UnaryAsync(EchoMethods.Stats, new StatsRequest());

    protected static async Task<List<T>> ReadAll<T>(ServerStreamingCall<T> call)
        where T : class, IMessage<T>
    {
        var list = new List<T>();
        await foreach (var item in call.ReadAllAsync())
        {
            list.Add(item);
        }

        return list;
    }
}
