using Google.Protobuf;

namespace RemoteModel.Transport.Server;

/// <summary>A service's methods bound to their handlers, ready to be served.</summary>
public sealed class ServiceDefinition
{
    private ServiceDefinition(string name, IReadOnlyList<CallHandler> handlers)
    {
        Name = name;
        Handlers = handlers;
    }

    /// <summary>The fully qualified service name.</summary>
    public string Name { get; }

    internal IReadOnlyList<CallHandler> Handlers { get; }

    /// <summary>The .proto files that describe the service (one, unless its methods come from several).</summary>
    internal IEnumerable<Google.Protobuf.Reflection.FileDescriptor> Files => Handlers.Select(h => h.Descriptor.File).Distinct();

    /// <summary>Starts binding the methods of the service called <paramref name="serviceName"/>.</summary>
    public static Builder CreateBuilder(string serviceName) => new(serviceName);

    /// <summary>Binds methods to handlers; every method must belong to the service.</summary>
    public sealed class Builder
    {
        private readonly string _serviceName;
        private readonly Dictionary<string, CallHandler> _handlers = new(StringComparer.Ordinal);

        internal Builder(string serviceName) => _serviceName = serviceName;

        /// <summary>Binds a unary method.</summary>
        public Builder AddUnary<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
            where TRequest : class, IMessage<TRequest>
            where TResponse : class, IMessage<TResponse> =>
            Add(method.ServiceName, method.Type, MethodType.Unary, new UnaryCallHandler<TRequest, TResponse>(method, handler));

        /// <summary>Binds a server-streaming method.</summary>
        public Builder AddServerStreaming<TRequest, TResponse>(
            Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class, IMessage<TRequest>
            where TResponse : class, IMessage<TResponse> =>
            Add(method.ServiceName, method.Type, MethodType.ServerStreaming,
                new ServerStreamingCallHandler<TRequest, TResponse>(method, handler));

        /// <summary>Binds a duplex-streaming method.</summary>
        public Builder AddDuplexStreaming<TRequest, TResponse>(
            Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class, IMessage<TRequest>
            where TResponse : class, IMessage<TResponse> =>
            Add(method.ServiceName, method.Type, MethodType.DuplexStreaming,
                new DuplexStreamingCallHandler<TRequest, TResponse>(method, handler));

        /// <summary>The finished definition.</summary>
        public ServiceDefinition Build() => new(_serviceName, [.. _handlers.Values]);

        private Builder Add(string serviceName, MethodType actual, MethodType expected, CallHandler handler)
        {
            if (serviceName != _serviceName)
            {
                throw new ArgumentException($"{handler.FullName} belongs to {serviceName}, not to {_serviceName}.");
            }

            if (actual != expected)
            {
                throw new ArgumentException($"{handler.FullName} is {actual}, not {expected}.");
            }

            if (!_handlers.TryAdd(handler.FullName, handler))
            {
                throw new ArgumentException($"{handler.FullName} is bound twice.");
            }

            return this;
        }
    }
}
