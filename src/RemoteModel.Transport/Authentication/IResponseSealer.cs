namespace RemoteModel.Transport.Authentication;

/// <summary>
/// Seals what the server answers to one verified call, in the order it is sent. The transport
/// calls it one message at a time (under the call's response gate), never concurrently.
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
