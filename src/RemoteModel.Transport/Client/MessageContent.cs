using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using Google.Protobuf;
using RemoteModel.Transport.Protocol;

namespace RemoteModel.Transport.Client;

/// <summary>A request body of one length-prefixed message, written straight to the HTTP/2 stream.</summary>
internal sealed class MessageContent : HttpContent
{
    private readonly IMessage _message;
    private readonly int _size;

    public MessageContent(IMessage message, int maxMessageSize)
    {
        _message = message;
        _size = message.CalculateSize();
        if (_size > maxMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted,
                $"Sending message exceeds the maximum configured message size ({_size} > {maxMessageSize} bytes).");
        }

        Headers.TryAddWithoutValidation("content-type", GrpcProtocol.ContentType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var length = GrpcProtocol.MessagePrefixLength + _size;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            buffer[0] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(1), (uint)_size);
            _message.WriteTo(buffer.AsSpan(GrpcProtocol.MessagePrefixLength, _size));
            await stream.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // No content-length: gRPC bodies are framed by their messages.
    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
