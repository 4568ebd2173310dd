using Google.Protobuf;
using Grpc.Core;

namespace RemoteModel.Grpc.Server;

/// <summary>The request of an authenticated method as it arrived: the message, and the exact bytes a signature covers.</summary>
internal sealed class ReceivedRequest<T>(T message, byte[] bytes)
    where T : class
{
    public T Message { get; } = message;

    public byte[] Bytes { get; } = bytes;

    /// <summary>Reads the request with the service's own marshaller, keeping its bytes.</summary>
    public static Marshaller<ReceivedRequest<T>> MarshallerFor(Marshaller<T> generated) => new(
        static (_, _) => throw new NotSupportedException("A received request is never sent."),
        context =>
        {
            var bytes = context.PayloadAsNewBuffer();
            try
            {
                return new ReceivedRequest<T>(generated.ContextualDeserializer(new ArrayDeserializationContext(bytes)), bytes);
            }
            catch (InvalidProtocolBufferException ex)
            {
                // grpc-dotnet would answer UNKNOWN "Exception was thrown by handler."; the caller sent bytes that are not the request.
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"The request is not a valid {typeof(T).Name}: {ex.Message}"));
            }
        });
}
