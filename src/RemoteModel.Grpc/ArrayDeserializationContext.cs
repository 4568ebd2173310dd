using System.Buffers;
using Grpc.Core;

namespace RemoteModel.Grpc;

/// <summary>A message's bytes, held in memory, handed to a marshaller as grpc-dotnet would.</summary>
internal sealed class ArrayDeserializationContext(ReadOnlyMemory<byte> payload) : DeserializationContext
{
    public override int PayloadLength => payload.Length;

    public override byte[] PayloadAsNewBuffer() => payload.ToArray();

    public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(payload);
}
