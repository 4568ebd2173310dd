using Google.Protobuf;
using RemoteModel.Testing.V1;
using RemoteModel.Transport;
using RemoteModel.Transport.Server;

namespace RemoteModel.Testing;

/// <summary>An echo Stream handler that mixes single writes with batches of serialized messages.</summary>
public static class BatchedEchoStream
{
    /// <summary>Writes the replies as 1 single, then batches of 7 (the last one shorter), then 1 single, then the empty batch.</summary>
    public static async Task WriteAsync(StreamRequest request, IServerStreamWriter<EchoReply> stream, ServerCallContext context)
    {
        var payload = ByteString.CopyFrom(new byte[request.PayloadSize]);
        EchoReply Reply(int i) => new() { Payload = payload, Sequence = i };
        await stream.WriteAsync(Reply(0));
        var i = 1;
        for (; i < request.Count - 1; i += 7)
        {
            await stream.WriteAsync([.. Enumerable.Range(i, Math.Min(7, request.Count - 1 - i)).Select(n => new SerializedMessage<EchoReply>(Reply(n)))]);
        }

        await stream.WriteAsync(Reply(request.Count - 1));
        await stream.WriteAsync(Array.Empty<SerializedMessage<EchoReply>>());
    }
}
