using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Grpc.Client;
using RemoteModel.Grpc.Server;
using RemoteModel.Testing;
using RemoteModel.Testing.V1;

namespace RemoteModel.Grpc.Tests;

/// <summary>
/// <see cref="ServerStreamWriterExtensions.WriteAllAsync{T}"/>: a batch of serialized messages
/// sent in order between single writes, one message each, sealed on a verified call and flushed
/// once per batch.
/// </summary>
public sealed class BatchedWriteTests
{
    // EchoService(batchedStream: true) writes 1 single reply, batches of 7, 1 single, then an empty batch.
    private const int Count = 50;

    [Fact]
    public async Task Batches_arrive_in_order_between_single_writes_on_an_authenticated_service()
    {
        await using var server = await EchoServer.StartAsync(new EchoService(batchedStream: true));
        using var channel = SignedChannel.ForAddress(server.Address);
        await AssertEveryReplyInOrder(channel);
    }

    [Fact]
    public async Task Batches_of_a_verified_call_arrive_in_order_each_message_sealed()
    {
        await using var server = await EchoServer.StartAsync(new EchoService(batchedStream: true), TestKeyring.Verifier());

        // The signing channel opens each message with the seal of its place in the stream and
        // checks the end's seal: a batch sent out of order, or unsealed, fails the call.
        using var channel = TestKeyring.Channel(server.Address);
        var trailers = await AssertEveryReplyInOrder(channel);
        Assert.NotNull(trailers.GetValue(AuthenticatedServiceTests.StatusSealHeader));
    }

    [Fact]
    public async Task Batches_on_a_plain_grpc_dotnet_service_are_written_message_by_message_in_order()
    {
        // MapGrpcService, not the authenticated mapping: the writer is grpc-dotnet's own.
        await using var server = await LoopbackServer.StartAsync(
            services => services.AddSingleton(new EchoService(batchedStream: true)),
            app => app.MapGrpcService<EchoService>());
        using var channel = SignedChannel.ForAddress(server.Address);
        await AssertEveryReplyInOrder(channel);
    }

    [Fact]
    public async Task A_batch_is_flushed_once_after_its_last_message_and_the_writer_keeps_its_options()
    {
        var own = new WriteOptions(WriteFlags.NoCompress);
        var writer = new RecordingWriter { WriteOptions = own };
        IServerStreamWriter<EchoReply> stream = writer;
        await stream.WriteAllAsync([.. Enumerable.Range(1, 3).Select(i => new SerializedMessage<EchoReply>(new EchoReply { Sequence = i }))]);

        Assert.Equal([1L, 2L, 3L], writer.Written.Select(w => w.Reply.Sequence));
        Assert.Equal([WriteFlags.BufferHint, WriteFlags.BufferHint, WriteFlags.NoCompress], writer.Written.Select(w => w.Options!.Flags));
        Assert.Same(own, writer.WriteOptions);
    }

    [Fact]
    public void A_serialized_message_holds_the_message_and_its_encoding()
    {
        var reply = new EchoReply { Payload = ByteString.CopyFromUtf8("abc"), Sequence = 7 };
        var serialized = new SerializedMessage<EchoReply>(reply);
        Assert.Same(reply, serialized.Message);
        Assert.Equal(reply.ToByteArray(), serialized.Bytes.ToArray());
    }

    private static async Task<Metadata> AssertEveryReplyInOrder(ChannelBase channel)
    {
        using var call = new Echo.EchoClient(channel).Stream(new StreamRequest { Count = Count, PayloadSize = 3 });
        var replies = await call.ResponseStream.ReadAllAsync().ToListAsync();
        Assert.All(replies, reply => Assert.Equal(3, reply.Payload.Length));
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), replies.Select(r => r.Sequence));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        return call.GetTrailers();
    }

    /// <summary>A stream writer that records each message with the options it was written under.</summary>
    private sealed class RecordingWriter : IServerStreamWriter<EchoReply>
    {
        public List<(EchoReply Reply, WriteOptions? Options)> Written { get; } = [];

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(EchoReply message)
        {
            Written.Add((message, WriteOptions));
            return Task.CompletedTask;
        }
    }
}
