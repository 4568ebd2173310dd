using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RemoteModel.Grpc.Authentication;
using RemoteModel.Grpc.Client;
using RemoteModel.Grpc.Server;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using RemoteModel.Security.Verification;
using RemoteModel.Testing;
using RemoteModel.Testing.V1;

namespace RemoteModel.Security.Tests;

/// <summary>Signed calls to a real loopback server with a verifier: every refusal path, and the seals of its answers.</summary>
public sealed class SignedCallTests : IAsyncLifetime
{
    private const string StatusSeal = "remotemodel-status-seal";

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-12-01T12:00:00Z"));
    private readonly AccessKey _ops;
    private readonly AccessKey _old;
    private readonly AccessKey _next;
    private readonly AccessKey _later;
    private readonly LogCapture _log = new();
    private readonly List<SignedChannel> _channels = [];
    private LoopbackServer _server = null!;

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
        _server = await StartEchoAsync(new HmacCallVerifier(KeyringSource.Fixed(keyring), new AuthOptions(), _clock, _log.CreateLogger<HmacCallVerifier>()));
    }

    public async Task DisposeAsync()
    {
        _channels.ForEach(c => c.Dispose());
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_signed_unary_call_is_answered_and_its_seals_verify()
    {
        var call = Client(new HmacCallSigner(_ops, _clock)).UnaryAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("hello") });
        Assert.Equal("hello", (await call).Payload.ToStringUtf8());
        Assert.Matches("^[0-9a-f]{64}$", call.GetTrailers().GetValue(StatusSeal));
    }

    [Fact]
    public async Task A_signed_stream_is_answered_with_every_message_sealed_in_order()
    {
        using var call = Client(new HmacCallSigner(_ops, _clock)).Stream(new StreamRequest { Count = 20, PayloadSize = 10 });
        var count = 0;
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            Assert.Equal(10, reply.Payload.Length);
            count++;
        }

        Assert.Equal(20, count);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.NotNull(call.GetTrailers().GetValue(StatusSeal));
    }

    [Fact]
    public async Task A_signed_stream_that_ends_without_a_message_is_answered_with_its_end_sealed()
    {
        // Nothing was written: grpc-dotnet answers trailers-only, so the seal travels in the headers.
        using var call = Client(new HmacCallSigner(_ops, _clock)).Stream(new StreamRequest { Count = 0 });
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Matches("^[0-9a-f]{64}$", call.GetTrailers().GetValue(StatusSeal));
        Assert.Equal(call.GetTrailers().GetValue(StatusSeal), (await call.ResponseHeadersAsync).GetValue(StatusSeal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_signed_stream_read_past_its_end_answers_as_an_unsigned_one(bool failing)
    {
        var request = new StreamRequest { Count = 1, FailAfter = failing ? new Failure { Code = (int)StatusCode.Aborted, Message = "over" } : null };
        foreach (var signer in new CallSigner?[] { null, new HmacCallSigner(_ops, _clock) })
        {
            using var call = Client(signer).Stream(request);
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            for (var again = 0; again < 2; again++)
            {
                if (failing)
                {
                    Assert.Equal(StatusCode.Aborted, (await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None))).StatusCode);
                }
                else
                {
                    Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
                }
            }
        }
    }

    [Fact]
    public async Task A_stream_written_in_batches_of_serialized_messages_has_every_message_sealed_in_order()
    {
        // Shared bytes, several messages a flush: each still gets its own seal, numbered in sending order.
        await using var server = await StartEchoAsync(new HmacCallVerifier(KeyringSource.Fixed(new Keyring([_ops])), new AuthOptions(), _clock), batchedStream: true);
        using var call = Client(new HmacCallSigner(_ops, _clock), server).Stream(new StreamRequest { Count = 30, PayloadSize = 4 });
        var sequences = new List<long>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            sequences.Add(reply.Sequence);
        }

        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), sequences);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task An_error_from_the_handler_is_sealed_and_passed_on()
    {
        // No message was sent: grpc-dotnet answers trailers-only, so the seal travels in the headers.
        var error = await Assert.ThrowsAsync<RpcException>(() => Client(new HmacCallSigner(_ops, _clock)).UnaryAsync(
            new EchoRequest { Fail = new Failure { Code = (int)StatusCode.NotFound, Message = "no such thing" } }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("no such thing", error.Status.Detail);
        Assert.Matches("^[0-9a-f]{64}$", error.Trailers.GetValue(StatusSeal));
    }

    [Fact]
    public async Task An_error_ending_a_stream_after_its_messages_is_sealed_and_passed_on()
    {
        using var call = Client(new HmacCallSigner(_ops, _clock)).Stream(
            new StreamRequest { Count = 2, FailAfter = new Failure { Code = (int)StatusCode.DataLoss, Message = "the rest is gone" } });
        var received = 0;
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
                received++;
            }
        });
        Assert.Equal(2, received);
        Assert.Equal(StatusCode.DataLoss, error.StatusCode);
        Assert.Equal("the rest is gone", error.Status.Detail);
        Assert.NotNull(error.Trailers.GetValue(StatusSeal));
    }

    [Fact]
    public async Task An_answer_too_large_to_send_ends_a_signed_unary_call_as_it_ends_an_unsigned_one()
    {
        // grpc-dotnet refuses to send the message after the handler returned: the end must not have been sealed as OK with one message.
        await using var server = await StartEchoAsync(
            new HmacCallVerifier(KeyringSource.Fixed(new Keyring([_ops])), new AuthOptions(), _clock), settings: new Dictionary<string, string?> { ["Grpc:MaxSendMessageSize"] = "1000" });
        var tooLarge = new EchoRequest { ReplySize = 2000 };
        var unsigned = await Assert.ThrowsAsync<RpcException>(() => Client(null, server).UnaryAsync(tooLarge).ResponseAsync);
        var signed = await Assert.ThrowsAsync<RpcException>(() => Client(new HmacCallSigner(_ops, _clock), server).UnaryAsync(tooLarge).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, unsigned.StatusCode);
        Assert.Equal(unsigned.Status, signed.Status);
    }

    [Fact]
    public async Task A_stream_message_too_large_to_send_ends_a_signed_stream_as_it_ends_an_unsigned_one()
    {
        await using var server = await StartEchoAsync(
            new HmacCallVerifier(KeyringSource.Fixed(new Keyring([_ops])), new AuthOptions(), _clock), settings: new Dictionary<string, string?> { ["Grpc:MaxSendMessageSize"] = "1000" });
        var tooLarge = new StreamRequest { Count = 2, PayloadSize = 2000 };
        var unsigned = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(Client(null, server).Stream(tooLarge)));
        var signed = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(Client(new HmacCallSigner(_ops, _clock), server).Stream(tooLarge)));
        Assert.Equal(StatusCode.ResourceExhausted, unsigned.StatusCode);
        Assert.Equal(unsigned.Status, signed.Status);
    }

    [Fact]
    public async Task An_unsigned_call_goes_on_unsealed_where_the_service_does_not_ask_for_a_key()
    {
        var call = Client(signer: null).UnaryAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("open") });
        Assert.Equal("open", (await call).Payload.ToStringUtf8());
        Assert.Null(call.GetTrailers().GetValue(StatusSeal));
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
        var echo = Client(new ReplayingSigner(new HmacCallSigner(_ops, _clock)));
        var request = new EchoRequest { Payload = ByteString.CopyFromUtf8("once") };
        Assert.Equal("once", (await echo.UnaryAsync(request)).Payload.ToStringUtf8());
        var error = await Assert.ThrowsAsync<RpcException>(() => echo.UnaryAsync(request).ResponseAsync);
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
        var skewed = new FakeTimeProvider(_clock.GetUtcNow() - TimeSpan.FromSeconds(secondsOff));
        var reply = await Client(new HmacCallSigner(_ops, skewed)).UnaryAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("in time") });
        Assert.Equal("in time", reply.Payload.ToStringUtf8());
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
        var oldClient = Client(new HmacCallSigner(_old, _clock));
        var nextClient = Client(new HmacCallSigner(_next, _clock));
        Assert.NotNull(await oldClient.UnaryAsync(new EchoRequest()));
        Assert.NotNull(await nextClient.UnaryAsync(new EchoRequest()));

        _clock.Advance(TimeSpan.FromMinutes(11));
        var expired = await Assert.ThrowsAsync<RpcException>(() => oldClient.UnaryAsync(new EchoRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, expired.StatusCode);
        Assert.StartsWith("key 'old' expired at", expired.Status.Detail, StringComparison.Ordinal);
        Assert.NotNull(await nextClient.UnaryAsync(new EchoRequest()));
    }

    [Fact]
    public async Task A_key_not_yet_valid_is_refused()
    {
        // The server's own key, rightly signed: refused only because its time has not come.
        var error = await RefusedAsync(new HmacCallSigner(_later, _clock));
        Assert.Contains("key 'later' is not valid before", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_from_a_server_without_the_key_is_rejected_by_the_client()
    {
        // An impostor, or a server with authentication off: answers every call, seals nothing.
        await using var impostor = await StartEchoAsync(verifier: null);
        var error = await Assert.ThrowsAsync<RpcException>(() => Client(new HmacCallSigner(_ops, _clock), impostor).UnaryAsync(new EchoRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.StartsWith("the response could not be verified: a response message carries no seal with key 'ops'", error.Status.Detail, StringComparison.Ordinal);
        Assert.EndsWith("call that one unsigned, with REMOTEMODEL_Auth__Enabled=false)", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_sealed_with_another_key_is_rejected_by_the_client()
    {
        await using var impostor = await StartEchoAsync(new SealingWith(KeyringFile.NewKey("ops", KeyScopes.Admin)));
        var echo = Client(new HmacCallSigner(_ops, _clock), impostor);
        var unary = await Assert.ThrowsAsync<RpcException>(() => echo.UnaryAsync(new EchoRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, unary.StatusCode);
        Assert.Contains("seal does not match", unary.Status.Detail, StringComparison.Ordinal);

        using var stream = echo.Stream(new StreamRequest { Count = 3 });
        var streamError = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in stream.ResponseStream.ReadAllAsync())
            {
            }
        });
        Assert.Equal(StatusCode.Unauthenticated, streamError.StatusCode);
    }

    [Fact]
    public async Task A_seal_moved_to_another_place_in_the_stream_is_rejected()
    {
        await using var impostor = await StartEchoAsync(new SkippingSequence(_ops));
        using var stream = Client(new HmacCallSigner(_ops, _clock), impostor).Stream(new StreamRequest { Count = 3 });
        var received = 0;
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in stream.ResponseStream.ReadAllAsync())
            {
                received++;
            }
        });
        Assert.Equal(1, received);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("seal does not match", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_message_altered_on_the_way_is_refused_and_nothing_after_it_is_handed_on()
    {
        // Three replies of a 4-byte payload: reply 0 is framed in 5 + 6 + 35 bytes, so byte 51 is reply 1's first.
        using var channel = GrpcChannel.ForAddress(_server.Address, new GrpcChannelOptions { HttpHandler = new WireTap(flip: 51), DisposeHttpClient = true });
        using var stream = new Echo.EchoClient(channel.SignedWith(new HmacCallSigner(_ops, _clock))).Stream(new StreamRequest { Count = 3, PayloadSize = 4 });

        Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(0, stream.ResponseStream.Current.Sequence);
        var altered = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Unauthenticated, altered.StatusCode);
        Assert.Contains("a response message's seal does not match", altered.Status.Detail, StringComparison.Ordinal);

        // Reply 2 is sealed rightly, but it comes after one that could not be verified: reading on is refused the same way.
        var readingOn = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(altered.Status, readingOn.Status);
    }

    [Fact]
    public async Task A_seal_moved_to_another_call_is_rejected()
    {
        // The right key, but every answer sealed for the first call's nonce: the first call verifies, a later one cannot.
        await using var impostor = await StartEchoAsync(new SealingForTheFirstCall(_ops));
        var echo = Client(new HmacCallSigner(_ops, _clock), impostor);
        Assert.Equal("first", (await echo.UnaryAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("first") })).Payload.ToStringUtf8());
        var error = await Assert.ThrowsAsync<RpcException>(() => echo.UnaryAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("first") }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("a response message's seal does not match", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_wrongly_sealed_end_is_rejected_even_after_well_sealed_messages(bool failing)
    {
        // Messages rightly sealed, the end sealed as another status: what a man in the middle who rewrites grpc-message gets.
        await using var impostor = await StartEchoAsync(new ForgingEnds(_ops));
        var request = new EchoRequest { Fail = failing ? new Failure { Code = (int)StatusCode.NotFound, Message = "no such thing" } : null };
        var error = await Assert.ThrowsAsync<RpcException>(() => Client(new HmacCallSigner(_ops, _clock), impostor).UnaryAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.StartsWith("the response could not be verified: the call's end is wrongly sealed with key 'ops'", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ok_end_without_its_seal_is_rejected_after_well_sealed_messages()
    {
        // A stream cut short by someone who drops the trailers and ends it OK early.
        await using var impostor = await StartEchoAsync(new LeavingEndsUnsealed(_ops));
        using var stream = Client(new HmacCallSigner(_ops, _clock), impostor).Stream(new StreamRequest { Count = 3 });
        var received = 0;
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in stream.ResponseStream.ReadAllAsync())
            {
                received++;
            }
        });
        Assert.Equal(3, received);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.StartsWith("the response could not be verified: the call's end is not sealed with key 'ops'", error.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>A loopback server serving the echo service, its calls checked by <paramref name="verifier"/> (none: unchecked and unsealed).</summary>
    private static Task<LoopbackServer> StartEchoAsync(CallVerifier? verifier, bool batchedStream = false, IReadOnlyDictionary<string, string?>? settings = null) =>
        LoopbackServer.StartAsync(
            services =>
            {
                if (verifier is not null)
                {
                    services.AddSingleton(verifier);
                }

                services.AddSingleton(new EchoService(batchedStream: batchedStream));
                services.AddAuthenticatedGrpcService<EchoService>();
            },
            app => app.MapAuthenticatedGrpcService<EchoService>(),
            settings);

    private Echo.EchoClient Client(CallSigner? signer, LoopbackServer? server = null)
    {
        var channel = SignedChannel.ForAddress((server ?? _server).Address, signer);
        _channels.Add(channel);
        return new Echo.EchoClient(channel);
    }

    private static async Task<int> ReadAllAsync(AsyncServerStreamingCall<EchoReply> call)
    {
        using (call)
        {
            var count = 0;
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
                count++;
            }

            return count;
        }
    }

    private async Task<RpcException> RefusedAsync(CallSigner signer, EchoRequest? request = null)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client(signer).UnaryAsync(request ?? new EchoRequest()).ResponseAsync);
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
                _first = [];
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

    /// <summary>A server with the right key that seals every call's answers for the first call it saw.</summary>
    private sealed class SealingForTheFirstCall(AccessKey key) : CallVerifier
    {
        private string? _firstNonce;

        public override IResponseSealer? Verify(ServerCallContext context, ReadOnlySequence<byte> request) =>
            new HmacResponseSealer(key, _firstNonce ??= context.RequestHeaders.GetValue("remotemodel-nonce")!);
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

    /// <summary>A server with the right key that seals every message rightly and each call's end as a status it did not send.</summary>
    private sealed class ForgingEnds(AccessKey key) : CallVerifier
    {
        public override IResponseSealer? Verify(ServerCallContext context, ReadOnlySequence<byte> request) =>
            new Forging(new HmacResponseSealer(key, context.RequestHeaders.GetValue("remotemodel-nonce")!));

        private sealed class Forging(IResponseSealer inner) : IResponseSealer
        {
            public int SealLength => inner.SealLength;

            public void SealMessage(ReadOnlySpan<byte> message, Span<byte> seal) => inner.SealMessage(message, seal);

            public void SealEnd(Status status, Metadata trailers) => inner.SealEnd(new Status(status.StatusCode, status.Detail + " (not what was sent)"), trailers);
        }
    }

    /// <summary>A server with the right key that seals every message rightly and no call's end.</summary>
    private sealed class LeavingEndsUnsealed(AccessKey key) : CallVerifier
    {
        public override IResponseSealer? Verify(ServerCallContext context, ReadOnlySequence<byte> request) =>
            new Unsealed(new HmacResponseSealer(key, context.RequestHeaders.GetValue("remotemodel-nonce")!));

        private sealed class Unsealed(IResponseSealer inner) : IResponseSealer
        {
            public int SealLength => inner.SealLength;

            public void SealMessage(ReadOnlySpan<byte> message, Span<byte> seal) => inner.SealMessage(message, seal);

            public void SealEnd(Status status, Metadata trailers)
            {
            }
        }
    }
}
