using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;

namespace RemoteModel.Transport.Protocol;

/// <summary>
/// Reads length-prefixed messages from a pipe: the request body on the server, the response body on
/// the client. One reader per call; not thread-safe.
/// </summary>
internal sealed class MessageReader(PipeReader reader, int maxMessageSize, string? encoding)
{
    /// <summary>
    /// The next message, or null at a clean end of the stream. <paramref name="open"/>, when given,
    /// sees each message's uncompressed bytes first and returns the part to parse (it checks
    /// signatures and seals, and throws to refuse).
    /// </summary>
    public async ValueTask<T?> ReadAsync<T>(
        MessageParser<T> parser, CancellationToken cancellationToken, Func<ReadOnlySequence<byte>, ReadOnlySequence<byte>>? open = null)
        where T : class, IMessage<T>
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            bool framed;
            ReadOnlySequence<byte> payload;
            bool compressed;
            try
            {
                framed = MessageFraming.TryRead(ref buffer, maxMessageSize, out payload, out compressed);
            }
            catch
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw;
            }

            if (framed)
            {
                try
                {
                    var bytes = compressed ? MessageCompression.Decompress(payload, encoding, maxMessageSize) : payload;
                    return Parse(parser, open is null ? bytes : open(bytes));
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start);
                }
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                if (buffer.Length == 0)
                {
                    return null;
                }

                throw new RpcException(StatusCode.Internal,
                    $"The stream ended inside a message ({buffer.Length} bytes of an incomplete message).");
            }

            if (result.IsCanceled)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }
    }

    private static T Parse<T>(MessageParser<T> parser, ReadOnlySequence<byte> payload)
        where T : class, IMessage<T>
    {
        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            var name = parser.ParseFrom(ByteString.Empty).Descriptor.FullName;
            throw new RpcException(StatusCode.Internal, $"A message could not be parsed as {name}: {ex.Message}");
        }
    }
}
