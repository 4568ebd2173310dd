using System.IO.Compression;
using System.Net;
using Google.Protobuf;
using Grpc.Health.V1;
using RemoteModel.Testing;
using RemoteModel.Testing.V1;
using RemoteModel.Transport.Client;
using RemoteModel.Transport.Health;
using RemoteModel.Transport.Server;

namespace RemoteModel.Transport.Tests;

/// <summary>What the server does with input no stock client sends, and its endpoints and lifecycle.</summary>
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
    public async Task A_get_request_gets_a_grpc_status()
    {
        var answer = await RawHttp.SendAsync(fixture.Address, UnaryPath, [], method: HttpMethod.Get);
        Assert.Equal("12", answer.GrpcStatus);
        Assert.Contains("POST", answer.GrpcMessage);
    }

    [Fact]
    public async Task Http1_on_a_cleartext_endpoint_gets_426_with_a_grpc_status()
    {
        var text = await RawHttp.SendHttp1Async(fixture.Address);
        Assert.StartsWith("HTTP/1.1 426", text);
        Assert.Contains("grpc-status: 13", text);
        Assert.Contains("HTTP/2", text);
        await AssertStillServing(fixture.Channel);
    }

    [Theory]
    [InlineData(2, 5, null, "13", "compressed flag")]
    [InlineData(0, 100, null, "13", "ended inside a message")]
    [InlineData(1, 5, null, "13", "identity")]
    [InlineData(1, 5, "snappy", "12", "snappy")]
    public async Task A_malformed_frame_gets_a_precise_status_and_the_server_goes_on(
        byte flag, int announced, string? encoding, string expectedStatus, string expectedText)
    {
        var headers = encoding is null ? null : new Dictionary<string, string> { ["grpc-encoding"] = encoding };
        var answer = await RawHttp.SendAsync(fixture.Address, UnaryPath, RawHttp.Frame(flag, EchoBytes("hello")[..5], announced), headers: headers);
        Assert.Equal(expectedStatus, answer.GrpcStatus);
        Assert.Contains(expectedText, answer.GrpcMessage);
        await AssertStillServing(fixture.Channel);
    }

    [Fact]
    public async Task Bytes_that_are_not_the_message_type_get_internal()
    {
        // Field 1 announced as a 100-byte string, with 2 bytes present: not an EchoRequest.
        var answer = await RawHttp.SendAsync(fixture.Address, UnaryPath, RawHttp.Frame(0, [0x0A, 100, 1, 2]));
        Assert.Equal("13", answer.GrpcStatus);
        Assert.Contains("remotemodel.testing.v1.EchoRequest", answer.GrpcMessage);
    }

    [Fact]
    public async Task A_unary_request_with_two_messages_or_none_gets_internal()
    {
        var two = await RawHttp.SendAsync(fixture.Address, UnaryPath, [.. RawHttp.Frame(0, EchoBytes("a")), .. RawHttp.Frame(0, EchoBytes("b"))]);
        Assert.Equal("13", two.GrpcStatus);
        Assert.Contains("more than one message", two.GrpcMessage);
        var none = await RawHttp.SendAsync(fixture.Address, UnaryPath, []);
        Assert.Equal("13", none.GrpcStatus);
        Assert.Contains("without a message", none.GrpcMessage);
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
        Assert.Equal(new string('z', 10_000), EchoReply.Parser.ParseFrom(answer.Body.AsSpan(5).ToArray()).Payload.ToStringUtf8());
    }

    [Fact]
    public async Task Unknown_service_and_unknown_method_say_which()
    {
        var service = await RawHttp.SendAsync(fixture.Address, "/no.Such/Unary", RawHttp.Frame(0, []));
        Assert.Equal("12", service.GrpcStatus);
        Assert.Contains("Service 'no.Such' is not served here", service.GrpcMessage);
        var method = await RawHttp.SendAsync(fixture.Address, "/remotemodel.testing.v1.Echo/Nope", RawHttp.Frame(0, []));
        Assert.Equal("12", method.GrpcStatus);
        Assert.Contains("has no method 'Nope'", method.GrpcMessage);
    }

    [Fact]
    public async Task A_deadline_is_enforced_even_when_the_handler_ignores_its_token()
    {
        var stubborn = ServiceDefinition.CreateBuilder(EchoMethods.ServiceName)
            .AddUnary(EchoMethods.Unary, async (request, _) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(3));
                return new EchoReply();
            })
            .Build();
        await using var server = GrpcServer.CreateBuilder().AddService(stubborn).Build();
        await server.StartAsync();

        // Only the server's deadline is at work: the raw request sends grpc-timeout but never cancels.
        var started = DateTime.UtcNow;
        var answer = await RawHttp.SendAsync(server.Addresses[0], UnaryPath, RawHttp.Frame(0, []),
            headers: new Dictionary<string, string> { ["grpc-timeout"] = "200m" });
        Assert.Equal("4", answer.GrpcStatus);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2.5), "The server answered only when the handler finished.");
    }

    [Fact]
    public async Task Stopping_the_server_ends_streams_with_unavailable_and_turns_health_not_serving()
    {
        var service = new EchoService();
        var server = GrpcServer.CreateBuilder().AddService(service.Bind()).Build();
        await server.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Addresses[0]);
        using var stream = channel.ServerStreaming(EchoMethods.Stream, new StreamRequest { Count = 1_000_000, IntervalMs = 50 });
        using var watch = new HealthClient(channel).Watch(string.Empty);
        var statuses = new List<HealthCheckResponse.Types.ServingStatus>();
        var watching = Task.Run(async () =>
        {
            try
            {
                await foreach (var status in watch.ReadAllAsync())
                {
                    lock (statuses)
                    {
                        statuses.Add(status.Status);
                    }
                }
            }
            catch (RpcException)
            {
                // The watch ends with the server.
            }
        });
        var reading = Task.Run(async () =>
        {
            await foreach (var _ in stream.ReadAllAsync())
            {
            }
        });
        await Task.Delay(200);

        await server.DisposeAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => reading);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        await watching;
        Assert.Equal([HealthCheckResponse.Types.ServingStatus.Serving, HealthCheckResponse.Types.ServingStatus.NotServing], statuses);
    }

    [Fact]
    public async Task A_unix_socket_endpoint_serves_and_only_its_owner_may_connect()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rm-{Guid.NewGuid():N}.sock");
        await using var server = GrpcServer.CreateBuilder().Listen("unix:" + path).AddService(new EchoService().Bind()).Build();
        await server.StartAsync();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal("unix:" + path, server.Addresses[0]);
        using var channel = GrpcChannel.ForAddress("unix:" + path);
        await AssertStillServing(channel);
    }

    [Fact]
    public async Task A_tls_endpoint_serves_http2_over_alpn_to_a_client_that_trusts_its_certificate()
    {
        var directory = Directory.CreateTempSubdirectory("rm-tls-").FullName;
        var (certPath, keyPath) = TestCertificates.WriteSelfSigned(directory);
        await using var server = GrpcServer.CreateBuilder()
            .Listen(new GrpcEndpoint { Url = "https://127.0.0.1:0", CertificatePath = certPath, CertificateKeyPath = keyPath })
            .AddService(new EchoService().Bind())
            .Build();
        await server.StartAsync();
        var address = server.Addresses[0];
        Assert.StartsWith("https://", address);

        using var trusting = GrpcChannel.ForAddress(address, new GrpcChannelOptions { TrustedCertificatePath = certPath });
        await AssertStillServing(trusting);

        using var untrusting = GrpcChannel.ForAddress(address);
        var error = await Assert.ThrowsAsync<RpcException>(() => untrusting.UnaryAsync(EchoMethods.Unary, new EchoRequest()));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);

        // HTTP/1.1 negotiated over TLS is told, in a gRPC status, that gRPC needs HTTP/2.
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        var http1 = await RawHttp.SendAsync(address, UnaryPath, RawHttp.Frame(0, []), version: HttpVersion.Version11, handler: handler);
        Assert.Equal(HttpStatusCode.UpgradeRequired, http1.HttpStatus);
        Assert.Equal("13", http1.GrpcStatus);
    }

    private static async Task AssertStillServing(GrpcChannel channel)
    {
        var reply = await channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Payload = ByteString.CopyFromUtf8("still here") });
        Assert.Equal("still here", reply.Payload.ToStringUtf8());
    }
}
