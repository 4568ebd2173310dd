using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace RemoteModel.Transport;

/// <summary>The kinds of call this transport carries.</summary>
public enum MethodType
{
    /// <summary>One request, one response.</summary>
    Unary,

    /// <summary>One request, a stream of responses.</summary>
    ServerStreaming,

    /// <summary>A stream of requests and a stream of responses, at once (served, not yet called by this client).</summary>
    DuplexStreaming,
}

/// <summary>
/// One RPC method: its path on the wire and how its messages are parsed. Made from the protobuf
/// descriptor, so a method's name is written once, in its .proto file.
/// </summary>
/// <typeparam name="TRequest">The request message.</typeparam>
/// <typeparam name="TResponse">The response message.</typeparam>
public sealed class Method<TRequest, TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private Method(MethodDescriptor descriptor)
    {
        if (descriptor.IsClientStreaming && !descriptor.IsServerStreaming)
        {
            throw new NotSupportedException(
                $"{descriptor.FullName} streams requests only; client streaming is not supported by this transport yet.");
        }

        if (descriptor.InputType.ClrType != typeof(TRequest) || descriptor.OutputType.ClrType != typeof(TResponse))
        {
            throw new ArgumentException(
                $"{descriptor.FullName} takes {descriptor.InputType.ClrType.Name} and returns {descriptor.OutputType.ClrType.Name}, " +
                $"not {typeof(TRequest).Name} and {typeof(TResponse).Name}.");
        }

        Descriptor = descriptor;
        Type = descriptor.IsClientStreaming ? MethodType.DuplexStreaming : descriptor.IsServerStreaming ? MethodType.ServerStreaming : MethodType.Unary;
        ServiceName = descriptor.Service.FullName;
        Name = descriptor.Name;
        FullName = $"/{ServiceName}/{Name}";
        RequestParser = (MessageParser<TRequest>)descriptor.InputType.Parser;
        ResponseParser = (MessageParser<TResponse>)descriptor.OutputType.Parser;
    }

    /// <summary>Unary, server streaming or duplex streaming.</summary>
    public MethodType Type { get; }

    /// <summary>The method as its .proto file describes it (server reflection answers with that file).</summary>
    internal MethodDescriptor Descriptor { get; }

    /// <summary>The fully qualified service name, such as <c>grpc.health.v1.Health</c>.</summary>
    public string ServiceName { get; }

    /// <summary>The method name, such as <c>Check</c>.</summary>
    public string Name { get; }

    /// <summary>The HTTP/2 path: <c>/package.Service/Method</c>.</summary>
    public string FullName { get; }

    internal MessageParser<TRequest> RequestParser { get; }

    internal MessageParser<TResponse> ResponseParser { get; }

    /// <summary>The method <paramref name="name"/> of <paramref name="service"/>.</summary>
    /// <exception cref="ArgumentException">The service has no such method, or its message types differ.</exception>
    public static Method<TRequest, TResponse> Create(ServiceDescriptor service, string name) =>
        new(service.FindMethodByName(name)
            ?? throw new ArgumentException($"Service {service.FullName} has no method '{name}'.", nameof(name)));

    /// <inheritdoc />
    public override string ToString() => FullName;
}
