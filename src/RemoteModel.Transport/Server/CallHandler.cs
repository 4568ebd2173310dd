using Google.Protobuf;

namespace RemoteModel.Transport.Server;

/// <summary>Reads a call's request, runs its handler and writes what it answers.</summary>
internal abstract class CallHandler(string fullName, MethodType type, Google.Protobuf.Reflection.MethodDescriptor descriptor)
{
    public string FullName { get; } = fullName;

    /// <summary>The method as its .proto file describes it.</summary>
    public Google.Protobuf.Reflection.MethodDescriptor Descriptor { get; } = descriptor;

    /// <summary>Streams are long-lived, so a stopping server ends them; unary calls are left to finish.</summary>
    public bool EndsOnShutdown { get; } = type != MethodType.Unary;

    public abstract Task HandleAsync(ServerCallContext context);
}

internal sealed class UnaryCallHandler<TRequest, TResponse>(
    Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
    : CallHandler(method.FullName, MethodType.Unary, method.Descriptor)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task HandleAsync(ServerCallContext context)
    {
        var request = await context.ReadSingleRequestAsync(method.RequestParser).ConfigureAwait(false);
        var response = await handler(request, context).ConfigureAwait(false);
        // Not flushed: the message leaves with the trailers, in one write.
        await context.WriteMessageAsync(response, flush: false, context.CancellationToken).ConfigureAwait(false);
    }
}

internal sealed class ServerStreamingCallHandler<TRequest, TResponse>(
    Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
    : CallHandler(method.FullName, MethodType.ServerStreaming, method.Descriptor)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task HandleAsync(ServerCallContext context)
    {
        var request = await context.ReadSingleRequestAsync(method.RequestParser).ConfigureAwait(false);
        await handler(request, new ResponseStreamWriter<TResponse>(context), context).ConfigureAwait(false);
    }
}

internal sealed class DuplexStreamingCallHandler<TRequest, TResponse>(
    Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
    : CallHandler(method.FullName, MethodType.DuplexStreaming, method.Descriptor)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override Task HandleAsync(ServerCallContext context) =>
        handler(context.OpenRequestStream(method.RequestParser), new ResponseStreamWriter<TResponse>(context), context);
}

/// <summary>A streaming call's responses, written through its context.</summary>
internal sealed class ResponseStreamWriter<TResponse>(ServerCallContext context) : IServerStreamWriter<TResponse>
    where TResponse : class, IMessage<TResponse>
{
    public Task WriteAsync(TResponse message, CancellationToken cancellationToken = default) =>
        context.WriteMessageAsync(message, flush: true, TokenOr(cancellationToken));

    public Task WriteAsync(IReadOnlyList<SerializedMessage<TResponse>> messages, CancellationToken cancellationToken = default) =>
        context.WriteMessagesAsync(messages ?? throw new ArgumentNullException(nameof(messages)), TokenOr(cancellationToken));

    private CancellationToken TokenOr(CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled ? cancellationToken : context.CancellationToken;
}
