using Grpc.Core;
using RemoteModel.Grpc.Authentication;

namespace RemoteModel.Grpc.Server;

/// <summary>The stream an authenticated server-streaming handler writes to: each message goes out sealed when the call was verified.</summary>
internal sealed class SealingStreamWriter<T>(IServerStreamWriter<OutgoingResponse<T>> stream, IResponseSealer? sealer) : IServerStreamWriter<T>
    where T : class
{
    private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);

    public WriteOptions? WriteOptions
    {
        get => stream.WriteOptions;
        set => stream.WriteOptions = value;
    }

    public Task WriteAsync(T message) => stream.WriteAsync(new OutgoingResponse<T>(message, sealer));

    public Task WriteAsync(T message, CancellationToken cancellationToken) =>
        stream.WriteAsync(new OutgoingResponse<T>(message, sealer), cancellationToken);

    /// <summary>Sends <paramref name="count"/> messages serialized before, in order, with one flush after the last.</summary>
    public async Task WriteAllAsync(int count, Func<int, ReadOnlyMemory<byte>> bytesAt, CancellationToken cancellationToken)
    {
        var options = stream.WriteOptions;
        try
        {
            for (var i = 0; i < count; i++)
            {
                stream.WriteOptions = i < count - 1 ? Buffered : options;
                await stream.WriteAsync(new OutgoingResponse<T>(bytesAt(i), sealer), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            stream.WriteOptions = options;
        }
    }
}
