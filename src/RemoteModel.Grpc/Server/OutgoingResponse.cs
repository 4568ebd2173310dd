using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using RemoteModel.Grpc.Authentication;

namespace RemoteModel.Grpc.Server;

/// <summary>
/// A response of an authenticated method on its way out: a message, or bytes serialized before
/// (once for many streams), sealed as it is written when the call was verified.
/// </summary>
internal sealed class OutgoingResponse<T>
    where T : class
{
    private readonly T? _message;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly IResponseSealer? _sealer;
    private readonly Action? _sealEnd;

    /// <param name="message">The message.</param>
    /// <param name="sealer">Seals it as it is written; null: it goes unsealed.</param>
    /// <param name="sealEnd">Seals the call's end once the message is written (a unary call's one message): not before, since grpc-dotnet may still refuse to send it.</param>
    public OutgoingResponse(T message, IResponseSealer? sealer, Action? sealEnd = null)
    {
        _message = message;
        _sealer = sealer;
        _sealEnd = sealEnd;
    }

    public OutgoingResponse(ReadOnlyMemory<byte> bytes, IResponseSealer? sealer)
    {
        _bytes = bytes;
        _sealer = sealer;
    }

    /// <summary>Writes the response with the service's own marshaller, or its bytes, and its seal after them.</summary>
    public static Marshaller<OutgoingResponse<T>> MarshallerFor(Marshaller<T> generated) => new(
        (response, context) => response.Serialize(context, generated),
        static _ => throw new NotSupportedException("An outgoing response is never read."));

    private int Length => _message is null ? _bytes.Length : ((IMessage)_message).CalculateSize();

    private void Serialize(SerializationContext context, Marshaller<T> generated)
    {
        if (_sealer is null)
        {
            if (_message is not null)
            {
                generated.ContextualSerializer(_message, context);
                return;
            }

            context.SetPayloadLength(_bytes.Length);
            context.GetBufferWriter().Write(_bytes.Span);
            context.Complete();
            return;
        }

        var length = Length;
        var total = length + _sealer.SealLength;
        context.SetPayloadLength(total);
        var writer = context.GetBufferWriter();
        var span = writer.GetSpan(total);
        if (span.Length >= total)
        {
            WriteSealed(span[..total], length);
            writer.Advance(total);
        }
        else
        {
            var rented = ArrayPool<byte>.Shared.Rent(total);
            try
            {
                WriteSealed(rented.AsSpan(0, total), length);
                writer.Write(rented.AsSpan(0, total));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        context.Complete();
        _sealEnd?.Invoke();
    }

    private void WriteSealed(Span<byte> destination, int length)
    {
        var body = destination[..length];
        if (_message is null)
        {
            _bytes.Span.CopyTo(body);
        }
        else
        {
            ((IMessage)_message).WriteTo(body);
        }

        _sealer!.SealMessage(body, destination[length..]);
    }
}
