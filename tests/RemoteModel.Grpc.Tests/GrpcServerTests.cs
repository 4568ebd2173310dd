using System.IO.Compression;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Grpc.Client;
using RemoteModel.Grpc.Server;
using RemoteModel.Testing;
using RemoteModel.Testing.V1;

namespace RemoteModel.Grpc.Tests;

/// <summary>
/// What the server (grpc-dotnet on Kestrel, as <see cref="LoopbackServer"/> builds it) does with
/// input no stock client sends, and its endpoints and lifecycle. Where grpc-dotnet answers
/// otherwise than the deleted home-made transport did, the test states grpc-dotnet's answer.
/// </summary>
public sealed class GrpcServerTests(EchoServerFixture fixture) : IClassFixture<EchoServerFixture>
{
    private const string UnaryPath = "/remotemodel.testing.v1.Echo/Unary";

    private static byte[] EchoBytes(string text) => new EchoRequest { Payload = ByteString.CopyFromUtf8(text) }.ToByteArray();

    [Fact]
    public async Task A_wrong_content_type_gets_415_with_a_grpc_status()
    {
        var answer = await RawHttp.SendAsync(fixture.Address, UnaryPath, RawHttp.Frame(0, EchoBytes("x")), contentType: "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.HttpStatus);
        Assert.Equal("13", answer.GrpcStatus);
        Assert.Contains("application/json", answer.GrpcMessage);
    }

    [Fact]
    public async Task A_get_request_is_not_routed_to_a_grpc_method()
    {
        // grpc-dotnet's answer: its endpoints take POST only, so a GET matches none and ASP.NET
        // Core answers 404 without a grpc-status (the old transport answered UNIMPLEMENTED).
        var answer = await RawHttp.SendAsync(fixture.Address, UnaryPath, [], method: HttpMethod.Get);
        Assert.Equal(HttpStatusCode.NotFound, answer.HttpStatus);
        Assert.Null(answer.GrpcStatus);
        await EchoServer.AssertServesAsync(fixture.Channel);
    }

    [Fact]
    public async Task Http1_on_a_cleartext_endpoint_is_refused_by_kestrel_and_the_server_goes_on()
    {
        // Kestrel's answer on an HTTP/2-only endpoint: 400 with a plain-text reason and the
        // connection closed; grpc-dotnet never sees the request, so no grpc-status (the old
        // transport answered 426 with one).
        var text = await RawHttp.SendHttp1Async(fixture.Address);
        Assert.StartsWith("HTTP/1.1 400", text);
        Assert.Contains("HTTP/2 only endpoint", text);
        Assert.DoesNotContain("grpc-status", text);
        await EchoServer.AssertServesAsync(fixture.Channel);
    }

    [Theory]
    // grpc-dotnet's answer to a compressed flag that is neither 0 nor 1: UNKNOWN, as for any
    // exception before the handler (the old transport said INTERNAL "compressed flag").
    [InlineData(2, 5, null, "2", "Exception was thrown by handler.")]
    [InlineData(0, 100, null, "13", "Incomplete message.")]
    [InlineData(1, 5, null, "13", "did not include grpc-encoding")]
    [InlineData(1, 5, "snappy", "12", "snappy")]
    public async Task A_malformed_frame_gets_a_status_and_the_server_goes_on(
        byte flag, int announced, string? encoding, string expectedStatus, string expectedText)
    {
        var headers = encoding is null ? null : new Dictionary<string, string> { ["grpc-encoding"] = encoding };
        var answer = await RawHttp.SendAsync(fixture.Address, UnaryPath, RawHttp.Frame(flag, EchoBytes("hello")[..5], announced), headers: headers);
        Assert.Equal(expectedStatus, answer.GrpcStatus);
        Assert.Contains(expectedText, answer.GrpcMessage);
        await EchoServer.AssertServesAsync(fixture.Channel);
    }

    [Fact]
    public async Task Bytes_that_are_not_the_message_type_get_a_status_without_internals()
    {
        // Field 1 announced as a 100-byte string, with 2 bytes present: not an EchoRequest. An
        // authenticated service's marshaller says so (grpc-dotnet alone would answer UNKNOWN
        // "Exception was thrown by handler.").
        var answer = await RawHttp.SendAsync(fixture.Address, UnaryPath, RawHttp.Frame(0, [0x0A, 100, 1, 2]));
        Assert.Equal("3", answer.GrpcStatus);
        Assert.StartsWith("The request is not a valid EchoRequest: ", answer.GrpcMessage);
        await EchoServer.AssertServesAsync(fixture.Channel);
    }

    [Fact]
    public async Task A_unary_request_with_two_messages_or_none_gets_internal()
    {
        var two = await RawHttp.SendAsync(fixture.Address, UnaryPath, [.. RawHttp.Frame(0, EchoBytes("a")), .. RawHttp.Frame(0, EchoBytes("b"))]);
        Assert.Equal(("13", "Additional data after the message received."), (two.GrpcStatus, two.GrpcMessage));
        var none = await RawHttp.SendAsync(fixture.Address, UnaryPath, []);
        Assert.Equal(("13", "Incomplete message."), (none.GrpcStatus, none.GrpcMessage));
    }

    [Fact]
    public async Task A_gzip_compressed_request_is_accepted()
    {
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(EchoBytes(new string('z', 10_000)));
        }

        var answer = await RawHttp.SendAsync(fixture.Address, UnaryPath, RawHttp.Frame(1, compressed.ToArray()),
            headers: new Dictionary<string, string> { ["grpc-encoding"] = "gzip" });
        Assert.Equal("0", answer.GrpcStatus);
        Assert.Equal(0, answer.Body[0]); // the answer goes uncompressed
        Assert.Equal(new string('z', 10_000), EchoReply.Parser.ParseFrom(answer.Body.AsSpan(5).ToArray()).Payload.ToStringUtf8());
    }

    [Fact]
    public async Task Binary_metadata_is_accepted_padded_and_unpadded()
    {
        var answer = await RawHttp.SendAsync(fixture.Address, UnaryPath, RawHttp.Frame(0, new EchoRequest { EchoMetadata = true }.ToByteArray()),
            headers: new Dictionary<string, string> { ["x-echo-unpadded-bin"] = "AAEC/w", ["x-echo-padded-bin"] = "AAEC/w==" });
        Assert.Equal("0", answer.GrpcStatus);

        // grpc-dotnet's answer: it sends binary values padded (the old transport sent them
        // unpadded); every stock peer accepts both, as the gRPC spec asks.
        Assert.Equal(("AAEC/w==", "AAEC/w=="), (answer.Headers["x-echo-unpadded-bin"], answer.Headers["x-echo-padded-bin"]));
    }

    [Fact]
    public async Task Unknown_service_and_unknown_method_get_unimplemented()
    {
        // grpc-dotnet's answer names neither the service nor the method (the old transport did).
        var service = await RawHttp.SendAsync(fixture.Address, "/no.Such/Unary", RawHttp.Frame(0, []));
        Assert.Equal(("12", "Service is unimplemented."), (service.GrpcStatus, service.GrpcMessage));
        var method = await RawHttp.SendAsync(fixture.Address, "/remotemodel.testing.v1.Echo/Nope", RawHttp.Frame(0, []));
        Assert.Equal(("12", "Method is unimplemented."), (method.GrpcStatus, method.GrpcMessage));
    }

    [Fact]
    public async Task A_deadline_is_enforced_even_when_the_handler_ignores_its_token()
    {
        var stubborn = new StubbornEcho();
        await using var server = await LoopbackServer.StartAsync(
            services => services.AddSingleton(stubborn).AddAuthenticatedGrpcService<StubbornEcho>(),
            app => app.MapAuthenticatedGrpcService<StubbornEcho>());
        try
        {
            // Only the server's deadline is at work: the raw request sends grpc-timeout but never
            // cancels, and the handler is still waiting when the answer comes.
            var answer = await RawHttp.SendAsync(server.Address, UnaryPath, RawHttp.Frame(0, []),
                headers: new Dictionary<string, string> { ["grpc-timeout"] = "200m" }).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal("4", answer.GrpcStatus);
            Assert.False(stubborn.Released);
        }
        finally
        {
            stubborn.Release();
        }
    }

    [Fact]
    public async Task Stopping_the_server_ends_streams_with_unavailable_and_turns_health_not_serving()
    {
        var server = await EchoServer.StartAsync();
        await using var _ = server;
        using var channel = SignedChannel.ForAddress(server.Address);
        using var stream = new Echo.EchoClient(channel).Stream(new StreamRequest { Count = 2, IntervalMs = 600_000 });
        using var watch = new Health.HealthClient(channel).Watch(new HealthCheckRequest());
        Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, watch.ResponseStream.Current.Status);

        var stopping = server.StopAsync();

        var ended = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(new Status(StatusCode.Unavailable, "the server is stopping"), ended.Status);
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, watch.ResponseStream.Current.Status);
        var watchEnded = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Unavailable, watchEnded.StatusCode);
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_unix_socket_endpoint_serves_and_only_its_owner_may_connect()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rm-{Guid.NewGuid():N}.sock");
        await using var server = await EchoServer.StartAsync(listen: ["unix:" + path]);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal("unix:" + path, server.Address);
        using var channel = SignedChannel.ForAddress(server.Address);
        await EchoServer.AssertServesAsync(channel);
    }

    [Fact]
    public async Task A_tls_endpoint_serves_http2_over_alpn_to_a_client_that_trusts_its_certificate()
    {
        var directory = Directory.CreateTempSubdirectory("rm-tls-").FullName;
        var (certPath, keyPath) = TestCertificates.WriteSelfSigned(directory);
        await using var server = await EchoServer.StartAsync(
            settings: new Dictionary<string, string?> { ["Tls:CertificatePath"] = certPath, ["Tls:KeyPath"] = keyPath },
            listen: ["https://127.0.0.1:0"]);
        var address = server.Address;
        Assert.StartsWith("https://", address);

        using var trusting = SignedChannel.ForAddress(address, settings: new ChannelSettings { TrustedCertificatePath = certPath });
        await EchoServer.AssertServesAsync(trusting);

        using var untrusting = SignedChannel.ForAddress(address);
        var error = await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(untrusting).UnaryAsync(new EchoRequest()).ResponseAsync);

        // Grpc.Net.Client's answer to a certificate it does not trust: INTERNAL, saying why (the
        // old client answered UNAVAILABLE).
        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Contains("UntrustedRoot", error.Status.Detail);

        // HTTP/1.1 negotiated over TLS reaches grpc-dotnet, which says in a gRPC status that gRPC needs HTTP/2.
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        var http1 = await RawHttp.SendAsync(address, UnaryPath, RawHttp.Frame(0, []), version: HttpVersion.Version11, handler: handler);
        Assert.Equal(HttpStatusCode.UpgradeRequired, http1.HttpStatus);
        Assert.Equal("13", http1.GrpcStatus);
    }

    /// <summary>An echo whose Unary ignores its cancellation token: it answers only once the test releases it.</summary>
    internal sealed class StubbornEcho : Echo.EchoBase
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Released => _release.Task.IsCompleted;

        public void Release() => _release.TrySetResult();

        public override async Task<EchoReply> Unary(EchoRequest request, ServerCallContext context)
        {
            await _release.Task;
            return new EchoReply();
        }
    }
}
