using Grpc.Core;

namespace RemoteModel.Grpc.Authentication;

/// <summary>
/// Seals what the server answers to one verified call, in the order it is sent: one message at a
/// time, never concurrently (a stream's writes are sequential).
/// </summary>
public interface IResponseSealer
{
    /// <summary>How many bytes <see cref="SealMessage"/> appends to every message.</summary>
    int SealLength { get; }

    /// <summary>Writes the seal of the next message, <paramref name="message"/>, into <paramref name="seal"/> (<see cref="SealLength"/> bytes).</summary>
    void SealMessage(ReadOnlySpan<byte> message, Span<byte> seal);

    /// <summary>Seals the call's end: adds to <paramref name="trailers"/> what proves <paramref name="status"/>.</summary>
    void SealEnd(Status status, Metadata trailers);
}
