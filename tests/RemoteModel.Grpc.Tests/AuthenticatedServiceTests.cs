using System.Buffers;
using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Grpc.Authentication;
using RemoteModel.Grpc.Client;
using RemoteModel.Grpc.Server;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using RemoteModel.Testing;
using RemoteModel.Testing.V1;

namespace RemoteModel.Grpc.Tests;

/// <summary>
/// What src/RemoteModel.Grpc adds to grpc-dotnet, where the end-to-end suites would not notice
/// it gone: the authenticated mapping (its endpoints win, the verifier sees the request's bytes
/// and hands state to the handler, stops end streams sealed) and the signing client.
/// </summary>
public sealed class AuthenticatedServiceTests
{
    /// <summary>The trailer that seals a verified call's end (docs/security.md).</summary>
    public const string StatusSealHeader = "remotemodel-status-seal";

    [Fact]
    public async Task A_call_to_a_verified_method_with_a_bad_signature_is_refused_before_its_handler_runs()
    {
        await using var server = await EchoServer.StartAsync(verifier: TestKeyring.Verifier());

        // The test key's id with another secret: a signature the server must refuse. Were
        // grpc-dotnet's plain binding of Echo (mapped by the same MapGrpcService) to win the
        // route, the call would be served unchecked.
        var forger = new HmacCallSigner(new AccessKey(TestKeyring.Current.SigningKey()!.Id, RandomNumberGenerator.GetBytes(32), KeyScopes.Read));
        using var forged = SignedChannel.ForAddress(server.Address, forger);
        using var unsigned = SignedChannel.ForAddress(server.Address);
        var before = await new Echo.EchoClient(unsigned).StatsAsync(new StatsRequest());

        var unary = await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(forged).UnaryAsync(new EchoRequest()).ResponseAsync);
        using var stream = new Echo.EchoClient(forged).Stream(new StreamRequest { Count = 1 });
        var streamed = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(CancellationToken.None));

        foreach (var refusal in new[] { unary, streamed })
        {
            Assert.Equal(StatusCode.Unauthenticated, refusal.StatusCode);
            Assert.Contains("signature does not match", refusal.Status.Detail);
        }

        Assert.Equal(before.CompletedCalls, (await new Echo.EchoClient(unsigned).StatsAsync(new StatsRequest())).CompletedCalls);
    }

    [Fact]
    public async Task The_verifier_sees_the_request_bytes_exactly_as_they_arrived()
    {
        var verifier = new RecordingVerifier();
        await using var server = await EchoServer.StartAsync(verifier: verifier);

        // Field 5 (echo_metadata) before field 1 (payload "hi"): valid, but not the order a
        // serializer writes, so only the bytes as received can match.
        byte[] request = [0x28, 0x01, 0x0A, 0x02, (byte)'h', (byte)'i'];
        var answer = await RawHttp.SendAsync(server.Address, "/remotemodel.testing.v1.Echo/Unary", RawHttp.Frame(0, request));

        Assert.Equal("0", answer.GrpcStatus);
        Assert.Equal("hi", EchoReply.Parser.ParseFrom(answer.Body.AsSpan(5).ToArray()).Payload.ToStringUtf8());
        var (method, bytes) = Assert.Single(verifier.Calls);
        Assert.Equal("/remotemodel.testing.v1.Echo/Unary", method);
        Assert.Equal(request, bytes);
    }

    [Fact]
    public async Task What_the_verifier_keeps_in_the_call_state_reaches_unary_and_streaming_handlers()
    {
        await using var server = await LoopbackServer.StartAsync(
            services => services.AddSingleton<CallVerifier>(new RecordingVerifier()).AddAuthenticatedGrpcService<UserStateEcho>(),
            app => app.MapAuthenticatedGrpcService<UserStateEcho>());
        using var channel = SignedChannel.ForAddress(server.Address);
        var client = new Echo.EchoClient(channel);

        var unary = await client.UnaryAsync(new EchoRequest());
        using var stream = client.Stream(new StreamRequest());
        var streamed = await stream.ResponseStream.ReadAllAsync().SingleAsync();

        Assert.Equal((RecordingVerifier.Mark, RecordingVerifier.Mark), (unary.Payload.ToStringUtf8(), streamed.Payload.ToStringUtf8()));
    }

    [Fact]
    public async Task A_signed_call_answered_unsealed_is_refused_by_the_client()
    {
        // No verifier: the server answers unsealed, as an impostor or a server with authentication off would.
        await using var server = await EchoServer.StartAsync();
        using var channel = TestKeyring.Channel(server.Address);

        var error = await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(channel).UnaryAsync(new EchoRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("carries no seal", error.Status.Detail);
    }

    [Fact]
    public async Task Any_stock_channel_signs_its_calls_with_SignedWith()
    {
        await using var server = await EchoServer.StartAsync(verifier: TestKeyring.Verifier());
        using var stock = GrpcChannel.ForAddress(server.Address);
        var client = new Echo.EchoClient(stock.SignedWith(TestKeyring.Signer));

        using var unary = client.UnaryAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("signed") });
        Assert.Equal("signed", (await unary).Payload.ToStringUtf8());

        // Only a call the server verified is sealed; the client checked the seal before answering.
        Assert.NotNull(unary.GetTrailers().GetValue(StatusSealHeader));
    }

    [Fact]
    public async Task A_signed_stream_ended_by_the_server_stopping_ends_unavailable_and_sealed()
    {
        var server = await EchoServer.StartAsync(verifier: TestKeyring.Verifier());
        await using var _ = server;
        using var channel = TestKeyring.Channel(server.Address);
        using var stream = new Echo.EchoClient(channel).Stream(new StreamRequest { Count = 2, IntervalMs = 600_000 });
        Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));

        var stopping = server.StopAsync();

        var ended = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(new Status(StatusCode.Unavailable, "the server is stopping"), ended.Status);
        Assert.NotNull(ended.Trailers.GetValue(StatusSealHeader));
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_service_not_derived_from_a_generated_base_cannot_be_served_authenticated()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LoopbackServer.StartAsync(
            services => services.AddAuthenticatedGrpcService<NotGenerated>(),
            app => app.MapAuthenticatedGrpcService<NotGenerated>()));
        Assert.Contains("does not derive from a protoc-generated service base", error.Message);
    }

    [Fact]
    public async Task A_host_and_port_address_is_cleartext_http_and_other_schemes_are_refused()
    {
        await using var server = await EchoServer.StartAsync();
        using var channel = SignedChannel.ForAddress(new Uri(server.Address).Authority);
        await EchoServer.AssertServesAsync(channel);

        var error = Assert.Throws<ArgumentException>(() => SignedChannel.ForAddress("ftp://127.0.0.1:21"));
        Assert.Contains("unix:/path", error.Message);
    }

    [Fact]
    public async Task A_channel_with_a_larger_receive_limit_takes_a_larger_answer()
    {
        await using var server = await EchoServer.StartAsync();
        using var channel = SignedChannel.ForAddress(server.Address, settings: new ChannelSettings { MaxReceiveMessageSize = 8 * 1024 * 1024 });
        var reply = await new Echo.EchoClient(channel).UnaryAsync(new EchoRequest { ReplySize = 5 * 1024 * 1024 });
        Assert.Equal(5 * 1024 * 1024, reply.Payload.Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_unary_handler_that_returns_no_message_ends_the_call_cancelled_as_grpc_dotnet_does(bool signed)
    {
        await using var server = await Wayward.StartAsync();
        using var channel = signed ? TestKeyring.Channel(server.Address) : SignedChannel.ForAddress(server.Address);

        var error = await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(channel).UnaryAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8(WaywardEcho.ReturnNull) }).ResponseAsync);

        // grpc-dotnet's own answer to a handler that returned null, sealed when the call was signed.
        Assert.Equal(new Status(StatusCode.Cancelled, "No message returned from method."), error.Status);
        Assert.Equal(signed, error.Trailers.GetValue(StatusSealHeader) is not null);
        await EchoServer.AssertServesAsync(channel);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_unary_handler_that_sets_an_error_status_and_returns_a_message_ends_with_that_status(bool signed)
    {
        await using var server = await Wayward.StartAsync();
        using var channel = signed ? TestKeyring.Channel(server.Address) : SignedChannel.ForAddress(server.Address);

        var error = await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(channel).UnaryAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8(WaywardEcho.SetStatus) }).ResponseAsync);

        // The status the handler set reaches the caller intact: a signed caller finds the seal good.
        Assert.Equal(new Status(StatusCode.FailedPrecondition, WaywardEcho.StatusDetail), error.Status);
        Assert.Equal("set by the handler", error.Trailers.GetValue("x-wayward"));
        Assert.Equal(signed, error.Trailers.GetValue(StatusSealHeader) is not null);
    }

    /// <summary>Lets every call through unsealed, keeping what it was given, and marks the call's state for the handler.</summary>
    private sealed class RecordingVerifier : CallVerifier
    {
        public const string Mark = "verified here";

        private readonly List<(string Method, byte[] Request)> _calls = [];

        public IReadOnlyList<(string Method, byte[] Request)> Calls
        {
            get
            {
                lock (_calls)
                {
                    return [.. _calls];
                }
            }
        }

        public override IResponseSealer? Verify(ServerCallContext context, ReadOnlySequence<byte> request)
        {
            lock (_calls)
            {
                _calls.Add((context.Method, request.ToArray()));
            }

            context.UserState[typeof(RecordingVerifier)] = Mark;
            return null;
        }
    }

    /// <summary>Answers with what the verifier left in the call's state.</summary>
    internal sealed class UserStateEcho : Echo.EchoBase
    {
        public override Task<EchoReply> Unary(EchoRequest request, ServerCallContext context) => Task.FromResult(Reply(context));

        public override Task Stream(StreamRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context) =>
            responseStream.WriteAsync(Reply(context));

        private static EchoReply Reply(ServerCallContext context) =>
            new() { Payload = ByteString.CopyFromUtf8(context.UserState.TryGetValue(typeof(RecordingVerifier), out var mark) ? (string)mark : "nothing") };
    }

    /// <summary>A class that is no gRPC service.</summary>
    internal sealed class NotGenerated;

    /// <summary>A server of <see cref="WaywardEcho"/>, its calls verified with the test keyring.</summary>
    private static class Wayward
    {
        public static Task<LoopbackServer> StartAsync() => LoopbackServer.StartAsync(
            services => services.AddSingleton<CallVerifier>(TestKeyring.Verifier()).AddAuthenticatedGrpcService<WaywardEcho>(),
            app => app.MapAuthenticatedGrpcService<WaywardEcho>());
    }

    /// <summary>Handlers that end their calls in ways the generated code allows but no well-behaved service should.</summary>
    internal sealed class WaywardEcho : Echo.EchoBase
    {
        public const string ReturnNull = "return null";
        public const string SetStatus = "set status";
        public const string StatusDetail = "told through the call's status, with a message returned anyway";

        public override Task<EchoReply> Unary(EchoRequest request, ServerCallContext context)
        {
            switch (request.Payload.ToStringUtf8())
            {
                case ReturnNull:
                    return Task.FromResult<EchoReply>(null!);
                case SetStatus:
                    context.Status = new Status(StatusCode.FailedPrecondition, StatusDetail);
                    context.ResponseTrailers.Add("x-wayward", "set by the handler");
                    return Task.FromResult(new EchoReply { Payload = request.Payload });
                default:
                    return Task.FromResult(new EchoReply { Payload = request.Payload });
            }
        }
    }
}
