using Google.Protobuf;
using RemoteModel.Testing;
using RemoteModel.Testing.V1;
using RemoteModel.Transport.Client;
using RemoteModel.Transport.Server;

namespace RemoteModel.Transport.Tests;

/// <summary>A stream writer's batch of serialized messages: sent in order, mixed with single writes, one message each.</summary>
public sealed class BatchedWriteTests
{
    [Fact]
    public async Task Batches_of_serialized_messages_arrive_in_order_between_single_writes()
    {
        await using var server = GrpcServer.CreateBuilder()
            .AddService(ServiceDefinition.CreateBuilder(EchoMethods.ServiceName).AddServerStreaming(EchoMethods.Stream, BatchedEchoStream.WriteAsync).Build())
            .Build();
        await server.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Addresses[0]);
        using var call = channel.ServerStreaming(EchoMethods.Stream, new StreamRequest { Count = 50, PayloadSize = 3 });
        var sequences = new List<long>();
        await foreach (var reply in call.ReadAllAsync())
        {
            Assert.Equal(3, reply.Payload.Length);
            sequences.Add(reply.Sequence);
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), sequences);
        Assert.Equal(StatusCode.OK, call.Status!.Value.Code);
    }

    [Fact]
    public async Task A_writer_without_its_own_batch_write_sends_each_message_of_the_batch()
    {
        var writer = new RecordingWriter();
        IServerStreamWriter<EchoReply> stream = writer;
        await stream.WriteAsync([new SerializedMessage<EchoReply>(new EchoReply { Sequence = 1 }), new SerializedMessage<EchoReply>(new EchoReply { Sequence = 2 })]);
        Assert.Equal([1L, 2L], writer.Written.Select(r => r.Sequence));
    }

    [Fact]
    public void A_serialized_message_holds_the_message_and_its_encoding()
    {
        var reply = new EchoReply { Payload = ByteString.CopyFromUtf8("abc"), Sequence = 7 };
        var serialized = new SerializedMessage<EchoReply>(reply);
        Assert.Same(reply, serialized.Message);
        Assert.Equal(reply.ToByteArray(), serialized.Bytes.ToArray());
    }

    private sealed class RecordingWriter : IServerStreamWriter<EchoReply>
    {
        public List<EchoReply> Written { get; } = [];

        public Task WriteAsync(EchoReply message, CancellationToken cancellationToken = default)
        {
            Written.Add(message);
            return Task.CompletedTask;
        }
    }
}
