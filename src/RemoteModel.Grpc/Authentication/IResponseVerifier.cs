using System.Buffers;
using Grpc.Core;

namespace RemoteModel.Grpc.Authentication;

/// <summary>Checks the answers to one signed call, in the order they arrive.</summary>
public interface IResponseVerifier
{
    /// <summary>
    /// Checks the next response message and returns the bytes to parse (the message without its
    /// seal). Throws <see cref="RpcException"/> (UNAUTHENTICATED) for a message it cannot verify.
    /// </summary>
    ReadOnlySequence<byte> Open(ReadOnlySequence<byte> message);

    /// <summary>
    /// Checks how the call ended: <paramref name="status"/> with the metadata it came with (the
    /// trailers, or the headers of a trailers-only answer). Throws <see cref="RpcException"/>
    /// (UNAUTHENTICATED) for an end it cannot verify.
    /// </summary>
    void CheckEnd(Status status, Metadata endMetadata);
}
