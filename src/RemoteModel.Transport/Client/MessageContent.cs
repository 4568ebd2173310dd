using System.Buffers.Binary;
using System.Net;
using Google.Protobuf;
using RemoteModel.Transport.Protocol;

namespace RemoteModel.Transport.Client;

/// <summary>
/// A request body of one length-prefixed message, serialized once when the request is made so
/// that a signature covers exactly the bytes that are sent.
/// </summary>
internal sealed class MessageContent : HttpContent
{
    private readonly byte[] _frame;

    public MessageContent(IMessage message, int maxMessageSize)
    {
        var size = message.CalculateSize();
        if (size > maxMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted,
                $"Sending message exceeds the maximum configured message size ({size} > {maxMessageSize} bytes).");
        }

        _frame = new byte[GrpcProtocol.MessagePrefixLength + size];
        BinaryPrimitives.WriteUInt32BigEndian(_frame.AsSpan(1), (uint)size);
        message.WriteTo(_frame.AsSpan(GrpcProtocol.MessagePrefixLength));
        Headers.TryAddWithoutValidation("content-type", GrpcProtocol.ContentType);
    }

    /// <summary>The message's bytes, without the prefix.</summary>
    public ReadOnlySpan<byte> Message => _frame.AsSpan(GrpcProtocol.MessagePrefixLength);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.WriteAsync(_frame, cancellationToken).AsTask();

    // No content-length: gRPC bodies are framed by their messages.
    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
