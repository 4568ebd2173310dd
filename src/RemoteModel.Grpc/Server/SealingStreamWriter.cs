using Grpc.Core;
using RemoteModel.Grpc.Authentication;

namespace RemoteModel.Grpc.Server;

/// <summary>The stream an authenticated server-streaming handler writes to: each message goes out sealed when the call was verified.</summary>
internal sealed class SealingStreamWriter<T>(IServerStreamWriter<OutgoingResponse<T>> stream, IResponseSealer? sealer) : IServerStreamWriter<T>
    where T : class
{
    public WriteOptions? WriteOptions
    {
        get => stream.WriteOptions;
        set => stream.WriteOptions = value;
    }

    public Task WriteAsync(T message) => stream.WriteAsync(new OutgoingResponse<T>(message, sealer));

    public Task WriteAsync(T message, CancellationToken cancellationToken) =>
        stream.WriteAsync(new OutgoingResponse<T>(message, sealer), cancellationToken);

    /// <summary>Sends a message serialized before, as it is (sealed when the call was verified).</summary>
    public Task WriteSerializedAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        stream.WriteAsync(new OutgoingResponse<T>(bytes, sealer), cancellationToken);
}
