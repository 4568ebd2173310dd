namespace RemoteModel.Transport.Server;

/// <summary>Handles a unary call: one request in, one response out.</summary>
public delegate Task<TResponse> UnaryServerMethod<in TRequest, TResponse>(TRequest request, ServerCallContext context);

/// <summary>Handles a server-streaming call: one request in, responses written to <paramref name="responseStream"/>.</summary>
public delegate Task ServerStreamingServerMethod<in TRequest, TResponse>(
    TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context)
    where TResponse : class, Google.Protobuf.IMessage<TResponse>;

/// <summary>Handles a duplex-streaming call: requests read from <paramref name="requestStream"/> while responses are written to <paramref name="responseStream"/>.</summary>
public delegate Task DuplexStreamingServerMethod<TRequest, TResponse>(
    IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context)
    where TRequest : class, Google.Protobuf.IMessage<TRequest>
    where TResponse : class, Google.Protobuf.IMessage<TResponse>;
