using Google.Protobuf;
using Grpc.Core;

namespace RemoteModel.Grpc.Server;

/// <summary>Writing many messages to a server stream at once.</summary>
public static class ServerStreamWriterExtensions
{
    private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);

    /// <summary>
    /// Sends <paramref name="messages"/> in order and flushes once, after the last: they leave in
    /// as few HTTP/2 DATA frames as fit. On an authenticated service the bytes already serialized
    /// are sent as they are (each still sealed, in order); on any other stream each message is
    /// serialized by the stream's own marshaller.
    /// </summary>
    public static async Task WriteAllAsync<T>(this IServerStreamWriter<T> writer, IReadOnlyList<SerializedMessage<T>> messages, CancellationToken cancellationToken = default)
        where T : class, IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(messages);
        var sealing = writer as SealingStreamWriter<T>;
        var options = writer.WriteOptions;
        try
        {
            for (var i = 0; i < messages.Count; i++)
            {
                writer.WriteOptions = i < messages.Count - 1 ? Buffered : options;
                await (sealing is null
                    ? writer.WriteAsync(messages[i].Message, cancellationToken)
                    : sealing.WriteSerializedAsync(messages[i].Bytes, cancellationToken)).ConfigureAwait(false);
            }
        }
        finally
        {
            writer.WriteOptions = options;
        }
    }
}
