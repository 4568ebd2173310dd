using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using RemoteModel.Transport.Authentication;

namespace RemoteModel.Transport.Protocol;

/// <summary>
/// Length-prefixed messages: one byte compressed flag, four bytes big-endian length, the bytes.
/// </summary>
internal static class MessageFraming
{
    /// <summary>
    /// Writes <paramref name="message"/> with its prefix into <paramref name="writer"/>, without
    /// flushing; with a <paramref name="sealer"/>, the message's seal follows its bytes inside the frame.
    /// </summary>
    public static void Write(IBufferWriter<byte> writer, IMessage message, int maxMessageSize, IResponseSealer? sealer = null)
    {
        var size = message.CalculateSize();
        var frame = StartFrame(writer, size, maxMessageSize, sealer);
        message.WriteTo(frame.Slice(GrpcProtocol.MessagePrefixLength, size));
        EndFrame(writer, frame, size, sealer);
    }

    /// <summary>
    /// Writes a message already serialized, <paramref name="message"/>, as <see cref="Write(IBufferWriter{byte}, IMessage, int, IResponseSealer?)"/>
    /// writes one: prefix, the bytes, and the seal of those bytes when the call is sealed.
    /// </summary>
    public static void Write(IBufferWriter<byte> writer, ReadOnlySpan<byte> message, int maxMessageSize, IResponseSealer? sealer = null)
    {
        var frame = StartFrame(writer, message.Length, maxMessageSize, sealer);
        message.CopyTo(frame[GrpcProtocol.MessagePrefixLength..]);
        EndFrame(writer, frame, message.Length, sealer);
    }

    /// <summary>Checks the size, takes the frame's span and writes its prefix; the message goes after the prefix.</summary>
    private static Span<byte> StartFrame(IBufferWriter<byte> writer, int size, int maxMessageSize, IResponseSealer? sealer)
    {
        var sealLength = sealer?.SealLength ?? 0;
        if (size + sealLength > maxMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted,
                $"Sending message exceeds the maximum configured message size ({size + sealLength} > {maxMessageSize} bytes).");
        }

        var span = writer.GetSpan(GrpcProtocol.MessagePrefixLength + size + sealLength);
        span[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)(size + sealLength));
        return span;
    }

    /// <summary>Seals the message written into <paramref name="frame"/> (when sealed) and commits the frame.</summary>
    private static void EndFrame(IBufferWriter<byte> writer, Span<byte> frame, int size, IResponseSealer? sealer)
    {
        var sealLength = sealer?.SealLength ?? 0;
        sealer?.SealMessage(frame.Slice(GrpcProtocol.MessagePrefixLength, size), frame.Slice(GrpcProtocol.MessagePrefixLength + size, sealLength));
        writer.Advance(GrpcProtocol.MessagePrefixLength + size + sealLength);
    }

    /// <summary>
    /// Takes one whole message off the front of <paramref name="buffer"/>. The announced length is
    /// checked as soon as the prefix arrives, so an oversized message is refused before it is buffered.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxMessageSize, out ReadOnlySequence<byte> payload, out bool compressed)
    {
        payload = default;
        compressed = false;
        if (buffer.Length < GrpcProtocol.MessagePrefixLength)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[GrpcProtocol.MessagePrefixLength];
        buffer.Slice(0, GrpcProtocol.MessagePrefixLength).CopyTo(prefix);
        compressed = prefix[0] switch
        {
            0 => false,
            1 => true,
            var flag => throw new RpcException(StatusCode.Internal, $"Malformed message prefix: compressed flag {flag} is neither 0 nor 1."),
        };
        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix[1..]);
        if (length > (uint)maxMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted,
                $"Received message exceeds the maximum configured message size ({length} > {maxMessageSize} bytes).");
        }

        if (buffer.Length < GrpcProtocol.MessagePrefixLength + length)
        {
            return false;
        }

        payload = buffer.Slice(GrpcProtocol.MessagePrefixLength, length);
        buffer = buffer.Slice(payload.End);
        return true;
    }
}
