using Google.Protobuf;

namespace RemoteModel.Grpc;

/// <summary>
/// A message serialized once, to be sent as it is on any number of streams: a server that sends
/// the same message to many callers pays for its serialization once, not once a caller. The bytes
/// are taken when it is made; the message must not change afterwards.
/// </summary>
/// <typeparam name="T">The message.</typeparam>
public sealed class SerializedMessage<T>
    where T : class, IMessage<T>
{
    private readonly byte[] _bytes;

    /// <summary>Serializes <paramref name="message"/> now.</summary>
    public SerializedMessage(T message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Message = message;
        _bytes = message.ToByteArray();
    }

    /// <summary>The message the bytes are of.</summary>
    public T Message { get; }

    /// <summary>The message's protobuf encoding, without the gRPC prefix.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;
}
