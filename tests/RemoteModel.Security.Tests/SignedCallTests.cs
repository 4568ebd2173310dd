using System.Buffers;
using Google.Protobuf;
using Microsoft.Extensions.Time.Testing;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using RemoteModel.Security.Verification;
using RemoteModel.Testing;
using RemoteModel.Testing.V1;
using RemoteModel.Transport;
using RemoteModel.Transport.Authentication;
using RemoteModel.Transport.Client;
using RemoteModel.Transport.Server;

namespace RemoteModel.Security.Tests;

/// <summary>Signed calls to a real loopback server with a verifier: every refusal path, and the seals of its answers.</summary>
public sealed class SignedCallTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-12-01T12:00:00Z"));
    private readonly AccessKey _ops;
    private readonly AccessKey _old;
    private readonly AccessKey _next;
    private readonly AccessKey _later;
    private readonly LogCapture _log = new();
    private GrpcServer _server = null!;

    public SignedCallTests()
    {
        var now = _clock.GetUtcNow();
        _ops = KeyringFile.NewKey("ops", KeyScopes.Control);
        _old = KeyringFile.NewKey("old", KeyScopes.Control, notAfter: now + TimeSpan.FromMinutes(10));
        _next = KeyringFile.NewKey("next", KeyScopes.Control, notBefore: now - TimeSpan.FromMinutes(1));
        _later = KeyringFile.NewKey("later", KeyScopes.Read, notBefore: now.AddHours(1));
    }

    public async Task InitializeAsync()
    {
        var keyring = new Keyring([_ops, _old, _next, _later, KeyringFile.NewKey("gone", KeyScopes.Admin).RevokedAt(_clock.GetUtcNow())]);
        _server = GrpcServer.CreateBuilder()
            .AddService(new EchoService().Bind())
            .UseCallVerifier(new HmacCallVerifier(KeyringSource.Fixed(keyring), new AuthOptions(), _clock, Microsoft.Extensions.Logging.LoggerFactoryExtensions.CreateLogger<HmacCallVerifier>(_log)))
            .Build();
        await _server.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_signed_unary_call_is_answered_and_its_seals_verify()
    {
        using var channel = Channel(new HmacCallSigner(_ops, _clock));
        var reply = await channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Payload = ByteString.CopyFromUtf8("hello") });
        Assert.Equal("hello", reply.Payload.ToStringUtf8());
    }

    [Fact]
    public async Task A_signed_stream_is_answered_with_every_message_sealed_in_order()
    {
        using var channel = Channel(new HmacCallSigner(_ops, _clock));
        using var call = channel.ServerStreaming(EchoMethods.Stream, new StreamRequest { Count = 20, PayloadSize = 10 });
        var count = 0;
        await foreach (var reply in call.ReadAllAsync())
        {
            Assert.Equal(10, reply.Payload.Length);
            count++;
        }

        Assert.Equal(20, count);
        Assert.Equal(StatusCode.OK, call.Status!.Value.Code);
    }

    [Fact]
    public async Task A_stream_written_in_batches_of_serialized_messages_has_every_message_sealed_in_order()
    {
        // Shared bytes, several messages a flush: each still gets its own seal, numbered in sending order.
        await using var server = GrpcServer.CreateBuilder()
            .AddService(ServiceDefinition.CreateBuilder(EchoMethods.ServiceName).AddServerStreaming(EchoMethods.Stream, BatchedEchoStream.WriteAsync).Build())
            .UseCallVerifier(new HmacCallVerifier(KeyringSource.Fixed(new Keyring([_ops])), new AuthOptions(), _clock))
            .Build();
        await server.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Addresses[0], new GrpcChannelOptions { Signer = new HmacCallSigner(_ops, _clock) });
        using var call = channel.ServerStreaming(EchoMethods.Stream, new StreamRequest { Count = 30, PayloadSize = 4 });
        var sequences = new List<long>();
        await foreach (var reply in call.ReadAllAsync())
        {
            sequences.Add(reply.Sequence);
        }

        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), sequences);
        Assert.Equal(StatusCode.OK, call.Status!.Value.Code);
    }

    [Fact]
    public async Task An_error_from_the_handler_is_sealed_and_passed_on()
    {
        using var channel = Channel(new HmacCallSigner(_ops, _clock));
        var error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary,
            new EchoRequest { Fail = new Failure { Code = (int)StatusCode.NotFound, Message = "no such thing" } }));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("no such thing", error.Status.Detail);
    }

    [Fact]
    public async Task An_unsigned_call_goes_on_unsealed_where_the_service_does_not_ask_for_a_key()
    {
        using var channel = Channel(signer: null);
        var reply = await channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Payload = ByteString.CopyFromUtf8("open") });
        Assert.Equal("open", reply.Payload.ToStringUtf8());
    }

    [Fact]
    public async Task An_unknown_key_is_refused()
    {
        var stranger = KeyringFile.NewKey("stranger", KeyScopes.Admin);
        var error = await RefusedAsync(new HmacCallSigner(stranger, _clock));
        Assert.Equal("key 'stranger' is unknown to this server", error.Status.Detail);
        Assert.Contains(_log.Entries, e => e.Message.Contains("Auth refused /remotemodel.testing.v1.Echo/Unary", StringComparison.Ordinal) && e.Message.Contains("stranger", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_revoked_key_is_refused()
    {
        var gone = new AccessKey("gone", new byte[32], KeyScopes.Admin);
        var error = await RefusedAsync(new HmacCallSigner(gone, _clock));
        Assert.StartsWith("key 'gone' was revoked at", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_wrong_secret_for_a_known_key_is_refused_without_revealing_the_right_signature()
    {
        var impostor = new AccessKey("ops", new byte[32], KeyScopes.Admin);
        var error = await RefusedAsync(new HmacCallSigner(impostor, _clock));
        Assert.Contains("signature does not match key 'ops'", error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotMatch("[0-9a-f]{32}", error.Status.Detail);
        Assert.DoesNotContain(_log.Entries, e => e.Message.Contains(KeyringFile.EncodeSecret(_ops), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_request_body_changed_after_signing_is_refused()
    {
        var error = await RefusedAsync(new TamperingSigner(new HmacCallSigner(_ops, _clock)), new EchoRequest { Payload = ByteString.CopyFromUtf8("pay 10") });
        Assert.Contains("the request was altered", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replayed_call_is_refused_and_the_first_one_answered()
    {
        var replaying = new ReplayingSigner(new HmacCallSigner(_ops, _clock));
        using var channel = Channel(replaying);
        var request = new EchoRequest { Payload = ByteString.CopyFromUtf8("once") };
        await channel.UnaryAsync(EchoMethods.Unary, request);
        var error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, request));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("the nonce was used before: the call is a replay", error.Status.Detail);
    }

    [Theory]
    [InlineData(31)]
    [InlineData(-31)]
    public async Task A_timestamp_outside_the_clock_skew_is_refused(int secondsOff)
    {
        var skewed = new FakeTimeProvider(_clock.GetUtcNow() - TimeSpan.FromSeconds(secondsOff));
        var error = await RefusedAsync(new HmacCallSigner(_ops, skewed));
        Assert.Contains(secondsOff > 0 ? "31 s ago" : "31 s ahead", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(29)]
    [InlineData(-29)]
    public async Task A_timestamp_inside_the_clock_skew_is_accepted(int secondsOff)
    {
        using var channel = Channel(new HmacCallSigner(_ops, new FakeTimeProvider(_clock.GetUtcNow() - TimeSpan.FromSeconds(secondsOff))));
        Assert.NotNull(await channel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));
    }

    [Theory]
    [InlineData("remotemodel-signature", null, "the call is signed only in part: remotemodel-signature missing")]
    [InlineData("remotemodel-timestamp", "yesterday", "remotemodel-timestamp is not Unix milliseconds")]
    [InlineData("remotemodel-nonce", "abc", "remotemodel-nonce is not 32 lowercase hex digits")]
    [InlineData("remotemodel-signature", "XYZ", "remotemodel-signature is not 64 lowercase hex digits")]
    public async Task Missing_or_malformed_signing_headers_are_refused(string header, string? value, string expected)
    {
        var error = await RefusedAsync(new HeaderEditingSigner(new HmacCallSigner(_ops, _clock), header, value));
        Assert.Equal(expected, error.Status.Detail);
    }

    [Fact]
    public async Task During_rotation_both_keys_work_until_the_old_one_expires()
    {
        using var oldChannel = Channel(new HmacCallSigner(_old, _clock));
        using var nextChannel = Channel(new HmacCallSigner(_next, _clock));
        await oldChannel.UnaryAsync(EchoMethods.Unary, new EchoRequest());
        await nextChannel.UnaryAsync(EchoMethods.Unary, new EchoRequest());

        _clock.Advance(TimeSpan.FromMinutes(11));
        var expired = await Assert.ThrowsAsync<RpcException>(() => oldChannel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));
        Assert.StartsWith("key 'old' expired at", expired.Status.Detail, StringComparison.Ordinal);
        await nextChannel.UnaryAsync(EchoMethods.Unary, new EchoRequest());
    }

    [Fact]
    public async Task A_key_not_yet_valid_is_refused()
    {
        // The server's own key, rightly signed: refused only because its time has not come.
        var error = await RefusedAsync(new HmacCallSigner(_later, _clock));
        Assert.Contains("key 'later' is not valid before", error.Status.Detail);
    }

    [Fact]
    public async Task An_answer_from_a_server_without_the_key_is_rejected_by_the_client()
    {
        // An impostor, or a server with authentication off: answers every call, seals nothing.
        await using var impostor = GrpcServer.CreateBuilder().AddService(new EchoService().Bind()).Build();
        await impostor.StartAsync();
        using var channel = GrpcChannel.ForAddress(impostor.Addresses[0], new GrpcChannelOptions { Signer = new HmacCallSigner(_ops, _clock) });
        var error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.StartsWith("the response could not be verified: a response message carries no seal with key 'ops'", error.Status.Detail, StringComparison.Ordinal);
        Assert.EndsWith("call that one unsigned, with REMOTEMODEL_Auth__Enabled=false)", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_sealed_with_another_key_is_rejected_by_the_client()
    {
        var other = KeyringFile.NewKey("ops", KeyScopes.Admin);
        await using var impostor = GrpcServer.CreateBuilder().AddService(new EchoService().Bind()).UseCallVerifier(new SealingWith(other)).Build();
        await impostor.StartAsync();
        using var channel = GrpcChannel.ForAddress(impostor.Addresses[0], new GrpcChannelOptions { Signer = new HmacCallSigner(_ops, _clock) });
        var unary = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));
        Assert.Contains("seal does not match", unary.Status.Detail, StringComparison.Ordinal);

        using var stream = channel.ServerStreaming(EchoMethods.Stream, new StreamRequest { Count = 3 });
        var streamError = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in stream.ReadAllAsync())
            {
            }
        });
        Assert.Equal(StatusCode.Unauthenticated, streamError.StatusCode);
    }

    [Fact]
    public async Task A_seal_moved_to_another_place_in_the_stream_is_rejected()
    {
        await using var impostor = GrpcServer.CreateBuilder().AddService(new EchoService().Bind()).UseCallVerifier(new SkippingSequence(_ops)).Build();
        await impostor.StartAsync();
        using var channel = GrpcChannel.ForAddress(impostor.Addresses[0], new GrpcChannelOptions { Signer = new HmacCallSigner(_ops, _clock) });
        using var stream = channel.ServerStreaming(EchoMethods.Stream, new StreamRequest { Count = 3 });
        var received = 0;
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in stream.ReadAllAsync())
            {
                received++;
            }
        });
        Assert.Equal(1, received);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    private GrpcChannel Channel(CallSigner? signer) =>
        GrpcChannel.ForAddress(_server.Addresses[0], new GrpcChannelOptions { Signer = signer });

    private async Task<RpcException> RefusedAsync(CallSigner signer, EchoRequest? request = null)
    {
        using var channel = Channel(signer);
        var error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, request ?? new EchoRequest()));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        return error;
    }

    /// <summary>Signs the request's bytes, then changes one of them before they are sent: a man in the middle.</summary>
    private sealed class TamperingSigner(CallSigner inner) : CallSigner
    {
        public override IResponseVerifier Sign(string method, ReadOnlySpan<byte> request, Metadata headers)
        {
            var altered = request.ToArray();
            altered[^1] ^= 1;
            return inner.Sign(method, altered, headers);
        }
    }

    /// <summary>Sends the first call's signing headers again with every later call: a captured call sent twice.</summary>
    private sealed class ReplayingSigner(CallSigner inner) : CallSigner
    {
        private Metadata? _first;
        private IResponseVerifier? _verifier;

        public override IResponseVerifier Sign(string method, ReadOnlySpan<byte> request, Metadata headers)
        {
            if (_first is null)
            {
                _first = new Metadata();
                _verifier = inner.Sign(method, request, _first);
            }

            foreach (var entry in _first)
            {
                headers.Add(entry);
            }

            return _verifier!;
        }
    }

    private sealed class HeaderEditingSigner(CallSigner inner, string header, string? value) : CallSigner
    {
        public override IResponseVerifier Sign(string method, ReadOnlySpan<byte> request, Metadata headers)
        {
            var signed = new Metadata();
            var verifier = inner.Sign(method, request, signed);
            foreach (var entry in signed.Where(e => e.Key != header || value is not null))
            {
                headers.Add(entry.Key, entry.Key == header ? value! : entry.Value);
            }

            return verifier;
        }
    }

    /// <summary>A server that takes every call and seals with a key of its own.</summary>
    private sealed class SealingWith(AccessKey key) : CallVerifier
    {
        public override IResponseSealer? Verify(ServerCallContext context, ReadOnlySequence<byte> request) =>
            new HmacResponseSealer(key, context.RequestHeaders.GetValue("remotemodel-nonce")!);
    }

    /// <summary>A server with the right key that skips a sequence number after the first message.</summary>
    private sealed class SkippingSequence(AccessKey key) : CallVerifier
    {
        public override IResponseSealer? Verify(ServerCallContext context, ReadOnlySequence<byte> request) =>
            new Skipping(new HmacResponseSealer(key, context.RequestHeaders.GetValue("remotemodel-nonce")!));

        private sealed class Skipping(IResponseSealer inner) : IResponseSealer
        {
            private int _count;

            public int SealLength => inner.SealLength;

            public void SealMessage(ReadOnlySpan<byte> message, Span<byte> seal)
            {
                if (_count++ == 1)
                {
                    inner.SealMessage(message, seal);
                }

                inner.SealMessage(message, seal);
            }

            public void SealEnd(Status status, Metadata trailers) => inner.SealEnd(status, trailers);
        }
    }
}
