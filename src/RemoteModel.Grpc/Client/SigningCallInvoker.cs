using System.Buffers;
using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using RemoteModel.Grpc.Authentication;

namespace RemoteModel.Grpc.Client;

/// <summary>
/// Signs each unary and server-streaming call with a <see cref="CallSigner"/> and hands on only
/// answers it verified. A request is serialized once; those bytes are signed and sent. Each answer
/// is checked on its exact bytes before it is parsed, and the call's end after the last.
/// Client-streaming and duplex calls go out unsigned.
/// </summary>
internal sealed class SigningCallInvoker(CallInvoker inner, CallSigner signer) : CallInvoker
{
    private static readonly Marshaller<byte[]> Bytes = new(static (bytes, context) => context.Complete(bytes), static context => context.PayloadAsNewBuffer());
    private static readonly ConcurrentDictionary<IMethod, object> WireMethods = new();

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var (signed, verifier) = Sign(method, ref options, request);
        var call = inner.AsyncUnaryCall(WireMethod(method), host, options, signed);
        return new AsyncUnaryCall<TResponse>(OpenAsync(call, verifier, method.ResponseMarshaller), UnaryCallOf.Headers, UnaryCallOf.Status, UnaryCallOf.Trailers, UnaryCallOf.Dispose, call);
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        AsyncUnaryCall(method, host, options, request).ResponseAsync.GetAwaiter().GetResult();

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var (signed, verifier) = Sign(method, ref options, request);
        var call = inner.AsyncServerStreamingCall(WireMethod(method), host, options, signed);
        return new AsyncServerStreamingCall<TResponse>(
            new OpeningReader<TResponse>(call, verifier, method.ResponseMarshaller), StreamingCallOf.Headers, StreamingCallOf.Status, StreamingCallOf.Trailers, StreamingCallOf.Dispose, call);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        inner.AsyncClientStreamingCall(method, host, options);

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        inner.AsyncDuplexStreamingCall(method, host, options);

    private (byte[] Request, IResponseVerifier Verifier) Sign<TRequest, TResponse>(Method<TRequest, TResponse> method, ref CallOptions options, TRequest request)
        where TRequest : class
        where TResponse : class
    {
        var bytes = request is IMessage message ? message.ToByteArray() : method.RequestMarshaller.Serializer(request);

        // The caller's headers are copied, not added to: the caller may send the same ones again.
        var headers = new Metadata();
        if (options.Headers is { Count: > 0 } given)
        {
            foreach (var entry in given)
            {
                headers.Add(entry);
            }
        }

        var verifier = signer.Sign(method.FullName, bytes, headers);
        options = options.WithHeaders(headers);
        return (bytes, verifier);
    }

    /// <summary>
    /// The inner call's headers, status, trailers and disposal, handed on through the calls' state
    /// rather than through delegates made for each call; and its headers only when asked for:
    /// reading the stock call's <see cref="AsyncUnaryCall{T}.ResponseHeadersAsync"/> starts a task
    /// that waits for them.
    /// </summary>
    private static class UnaryCallOf
    {
        public static readonly Func<object, Task<Metadata>> Headers = static call => ((AsyncUnaryCall<byte[]>)call).ResponseHeadersAsync;
        public static readonly Func<object, Status> Status = static call => ((AsyncUnaryCall<byte[]>)call).GetStatus();
        public static readonly Func<object, Metadata> Trailers = static call => ((AsyncUnaryCall<byte[]>)call).GetTrailers();
        public static readonly Action<object> Dispose = static call => ((AsyncUnaryCall<byte[]>)call).Dispose();
    }

    /// <inheritdoc cref="UnaryCallOf"/>
    private static class StreamingCallOf
    {
        public static readonly Func<object, Task<Metadata>> Headers = static call => ((AsyncServerStreamingCall<byte[]>)call).ResponseHeadersAsync;
        public static readonly Func<object, Status> Status = static call => ((AsyncServerStreamingCall<byte[]>)call).GetStatus();
        public static readonly Func<object, Metadata> Trailers = static call => ((AsyncServerStreamingCall<byte[]>)call).GetTrailers();
        public static readonly Action<object> Dispose = static call => ((AsyncServerStreamingCall<byte[]>)call).Dispose();
    }

    private static Method<byte[], byte[]> WireMethod<TRequest, TResponse>(Method<TRequest, TResponse> method) =>
        (Method<byte[], byte[]>)WireMethods.GetOrAdd(method, static m => new Method<byte[], byte[]>(m.Type, m.ServiceName, m.Name, Bytes, Bytes));

    private static async Task<TResponse> OpenAsync<TResponse>(AsyncUnaryCall<byte[]> call, IResponseVerifier verifier, Marshaller<TResponse> marshaller)
    {
        byte[] answer;
        try
        {
            answer = await call.ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            verifier.CheckEnd(ex.Status, ex.Trailers);
            throw;
        }

        var response = Parse(verifier.Open(new ReadOnlySequence<byte>(answer)), marshaller);
        verifier.CheckEnd(call.GetStatus(), call.GetTrailers());
        return response;
    }

    private static T Parse<T>(ReadOnlySequence<byte> body, Marshaller<T> marshaller) =>
        marshaller.ContextualDeserializer(new ArrayDeserializationContext(body.IsSingleSegment ? body.First : body.ToArray()));

    /// <summary>
    /// Reads a signed stream: each message checked, then parsed; the end checked once, after the
    /// last. A refusal stands: reading on after it throws it again rather than handing on what
    /// follows an answer that could not be verified. Reading on after a verified end answers as
    /// the stock reader does.
    /// </summary>
    private sealed class OpeningReader<T>(AsyncServerStreamingCall<byte[]> call, IResponseVerifier verifier, Marshaller<T> marshaller) : IAsyncStreamReader<T>
    {
        private bool _ended;
        private RpcException? _refusal;

        public T Current { get; private set; } = default!;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (_refusal is not null)
            {
                throw _refusal;
            }

            bool more;
            try
            {
                more = await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex) when (!_ended)
            {
                CheckEnd(ex.Status, ex.Trailers);
                throw;
            }

            if (!more)
            {
                if (!_ended)
                {
                    CheckEnd(call.GetStatus(), call.GetTrailers());
                }

                return false;
            }

            ReadOnlySequence<byte> body;
            try
            {
                body = verifier.Open(new ReadOnlySequence<byte>(call.ResponseStream.Current));
            }
            catch (RpcException ex)
            {
                _refusal = ex;
                throw;
            }

            Current = Parse(body, marshaller);
            return true;
        }

        // The verifier checks an end once (its state goes with it).
        private void CheckEnd(Status status, Metadata endMetadata)
        {
            _ended = true;
            try
            {
                verifier.CheckEnd(status, endMetadata);
            }
            catch (RpcException ex)
            {
                _refusal = ex;
                throw;
            }
        }
    }
}
