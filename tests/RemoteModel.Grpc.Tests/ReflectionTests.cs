using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Reflection.V1;
using RemoteModel.Testing;

namespace RemoteModel.Grpc.Tests;

/// <summary>
/// The stock reflection service's duplex stream (Grpc.AspNetCore.Server.Reflection) as no stock
/// client drives it: every request in one body, then a malformed or oversized one; and a server
/// that serves no reflection.
/// </summary>
public sealed class ReflectionTests(EchoServerFixture fixture) : IClassFixture<EchoServerFixture>
{
    private const string Path = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";

    private static byte[] Frame(ServerReflectionRequest request) => RawHttp.Frame(0, request.ToByteArray());

    private static List<ServerReflectionResponse> Answers(byte[] body)
    {
        var answers = new List<ServerReflectionResponse>();
        for (var at = 0; at + 5 <= body.Length;)
        {
            var length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(at + 1));
            answers.Add(ServerReflectionResponse.Parser.ParseFrom(body.AsSpan(at + 5, length)));
            at += 5 + length;
        }

        return answers;
    }

    [Fact]
    public async Task Requests_sent_at_once_are_answered_in_order_with_each_file()
    {
        var answer = await RawHttp.SendAsync(fixture.Address, Path,
        [
            .. Frame(new ServerReflectionRequest { ListServices = "" }),
            .. Frame(new ServerReflectionRequest { FileContainingSymbol = "grpc.health.v1.Health.Check" }),
            .. Frame(new ServerReflectionRequest { FileByFilename = "health.proto" }),
            .. Frame(new ServerReflectionRequest { FileByFilename = "grpc/health/v1/health.proto" }),
        ]);

        Assert.Equal("0", answer.GrpcStatus);
        var answers = Answers(answer.Body);
        Assert.Equal(4, answers.Count);
        Assert.Equal(
            ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "remotemodel.testing.v1.Echo", "remotemodel.v1.Monitor"],
            answers[0].ListServicesResponse.Service.Select(s => s.Name).Order());
        var health = FileDescriptorProto.Parser.ParseFrom(Assert.Single(answers[1].FileDescriptorResponse.FileDescriptorProto));
        Assert.Contains(health.Service.Single().Method, m => m.Name == "Watch" && m.ServerStreaming);
        Assert.Equal(answers[1].FileDescriptorResponse, answers[2].FileDescriptorResponse);

        // The stock health service (Grpc.HealthCheck) was compiled from a file it named
        // health.proto, so reflection knows it by that name only, not by its path in grpc's
        // repository (the old transport served grpc/health/v1/health.proto).
        Assert.Equal(("health.proto", "grpc.health.v1"), (health.Name, health.Package));
        Assert.Equal(5, answers[3].ErrorResponse.ErrorCode);
    }

    [Fact]
    public async Task A_malformed_request_after_a_good_one_ends_the_stream_with_its_status_after_the_good_answer()
    {
        var answer = await RawHttp.SendAsync(fixture.Address, Path,
            [.. Frame(new ServerReflectionRequest { ListServices = "" }), .. RawHttp.Frame(0, [1, 2, 3], announcedLength: 100)]);

        Assert.Equal(("13", "Incomplete message."), (answer.GrpcStatus, answer.GrpcMessage));
        Assert.NotEmpty(Assert.Single(Answers(answer.Body)).ListServicesResponse.Service);
    }

    [Fact]
    public async Task An_oversized_request_is_refused_with_resource_exhausted()
    {
        var answer = await RawHttp.SendAsync(fixture.Address, Path, RawHttp.Frame(0, [], announcedLength: 5 * 1024 * 1024));
        Assert.Equal("8", answer.GrpcStatus);
        Assert.Empty(answer.Body);
    }

    [Fact]
    public async Task A_server_with_reflection_off_answers_unimplemented()
    {
        await using var server = await EchoServer.StartAsync(settings: new Dictionary<string, string?> { ["Grpc:EnableReflection"] = "false" });
        var answer = await RawHttp.SendAsync(server.Address, Path, Frame(new ServerReflectionRequest { ListServices = "" }));
        Assert.Equal(("12", "Service is unimplemented."), (answer.GrpcStatus, answer.GrpcMessage));
    }
}
