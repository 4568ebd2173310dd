using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using RemoteModel.Transport.Authentication;
using RemoteModel.Transport.Protocol;

namespace RemoteModel.Transport.Client;

/// <summary>
/// A client's connection to one server: HTTP/2 over TCP, TLS or a Unix domain socket, shared by
/// every call and every stub made on it. Thread-safe; make one per server and keep it.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    private readonly Uri _baseAddress;
    private readonly ConcurrentDictionary<string, Uri> _methodUris = new(StringComparer.Ordinal);

    private GrpcChannel(string target, Uri baseAddress, HttpMessageHandler handler, GrpcChannelOptions options)
    {
        Target = target;
        _baseAddress = baseAddress;
        Options = options;
        Invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    /// <summary>The address this channel was made for.</summary>
    public string Target { get; }

    internal GrpcChannelOptions Options { get; }

    internal HttpMessageInvoker Invoker { get; }

    /// <summary>
    /// A channel to <paramref name="address"/>: <c>http://host:port</c> (cleartext HTTP/2),
    /// <c>https://host:port</c> (TLS), <c>unix:/path/to.sock</c>, or <c>host:port</c> for http.
    /// No connection is made until the first call.
    /// </summary>
    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null)
    {
        options ??= new GrpcChannelOptions();
        var handler = new SocketsHttpHandler
        {
            // gRPC needs HTTP/2 end to end: no proxies, redirects, cookies or decompression.
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = options.ConnectTimeout,
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        };

        if (address.StartsWith("unix:", StringComparison.Ordinal))
        {
            var socketPath = address["unix:".Length..];
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
            return new GrpcChannel(address, new Uri("http://localhost"), handler, options);
        }

        var url = address.Contains("://", StringComparison.Ordinal) ? address : "http://" + address;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"'{address}' is not a gRPC address: use http://host:port, https://host:port or unix:/path.", nameof(address));
        }

        if (uri.Scheme == "https" && options.TrustedCertificatePath is { } trusted)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = TrustOnly(X509CertificateLoader.LoadCertificateFromFile(trusted)),
            };
        }

        return new GrpcChannel(address, new Uri(uri.GetLeftPart(UriPartial.Authority)), handler, options);
    }

    /// <summary>Calls a unary method and returns its response.</summary>
    /// <exception cref="RpcException">The call ended with a status other than OK.</exception>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(
        Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        Expect(method, MethodType.Unary);
        using var call = new ClientCall<TResponse>(this, method.ResponseParser, options, cancellable: false);
        return await ReadUnaryAsync(call, method, request).ConfigureAwait(false);
    }

    /// <summary>Calls a unary method and returns its response with the response headers and trailers.</summary>
    /// <exception cref="RpcException">The call ended with a status other than OK.</exception>
    public async Task<CallResult<TResponse>> UnaryWithMetadataAsync<TRequest, TResponse>(
        Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        Expect(method, MethodType.Unary);
        using var call = new ClientCall<TResponse>(this, method.ResponseParser, options, cancellable: false);
        var response = await ReadUnaryAsync(call, method, request).ConfigureAwait(false);
        return new CallResult<TResponse>(response, call.ResponseHeaders, call.Trailers);
    }

    /// <summary>Starts a server-streaming call.</summary>
    public ServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse>(
        Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        Expect(method, MethodType.ServerStreaming);
        var call = new ClientCall<TResponse>(this, method.ResponseParser, options, cancellable: true);
        return new ServerStreamingCall<TResponse>(call, call.SendAsync(method.FullName, request));
    }

    private static void Expect<TRequest, TResponse>(Method<TRequest, TResponse> method, MethodType type)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        if (method.Type != type)
        {
            throw new ArgumentException($"{method.FullName} is {method.Type}, not {type}; this client does not call duplex methods yet.", nameof(method));
        }
    }

    /// <summary>Closes the channel's connections; calls still running fail.</summary>
    public void Dispose() => Invoker.Dispose();

    /// <summary>The HTTP/2 request of one call; with a signer, also the check of its answers.</summary>
    internal HttpRequestMessage CreateRequest(string path, IMessage message, CallOptions options, out IResponseVerifier? verifier)
    {
        var content = new MessageContent(message, Options.MaxSendMessageSize);
        var request = new HttpRequestMessage(HttpMethod.Post, _methodUris.GetOrAdd(path, static (p, b) => new Uri(b, p), _baseAddress))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var headers = request.Headers;
        headers.TryAddWithoutValidation(GrpcProtocol.TeHeader, GrpcProtocol.TeTrailers);
        headers.TryAddWithoutValidation("user-agent", GrpcProtocol.UserAgent);
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.SupportedEncodings);
        if (options.Timeout is { } timeout)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(timeout));
        }

        var metadata = options.Headers;
        verifier = null;
        if (Options.Signer is { } signer)
        {
            metadata = metadata is null ? new Metadata() : Copy(metadata);
            verifier = signer.Sign(path, content.Message, metadata);
        }

        foreach (var entry in metadata ?? Enumerable.Empty<Metadata.Entry>())
        {
            headers.TryAddWithoutValidation(entry.Key, MetadataCodec.ToHeaderValue(entry));
        }

        return request;
    }

    private static Metadata Copy(Metadata metadata)
    {
        var copy = new Metadata();
        foreach (var entry in metadata)
        {
            copy.Add(entry);
        }

        return copy;
    }

    private static async Task<TResponse> ReadUnaryAsync<TRequest, TResponse>(
        ClientCall<TResponse> call, Method<TRequest, TResponse> method, TRequest request)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        await call.SendAsync(method.FullName, request).ConfigureAwait(false);
        var response = await call.ReadAsync().ConfigureAwait(false)
            ?? throw new RpcException(StatusCode.Internal, $"{method.FullName} ended OK without a response message.");
        if (await call.ReadAsync().ConfigureAwait(false) is not null)
        {
            throw new RpcException(StatusCode.Internal, $"{method.FullName} sent more than one response message.");
        }

        return response;
    }

    private static RemoteCertificateValidationCallback TrustOnly(X509Certificate2 trusted) =>
        (_, certificate, _, errors) =>
        {
            if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(trusted);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
}
