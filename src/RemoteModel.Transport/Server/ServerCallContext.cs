using System.Globalization;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using RemoteModel.Transport.Authentication;
using RemoteModel.Transport.Protocol;

namespace RemoteModel.Transport.Server;

/// <summary>
/// What a handler knows about the call it serves: who called, with which metadata, until when,
/// and the token that fires when the call ends early (client cancel or disconnect, deadline,
/// server shutdown for streams).
/// </summary>
public sealed class ServerCallContext : IDisposable
{
    private readonly HttpContext _http;
    private readonly GrpcServerOptions _options;
    private readonly SemaphoreSlim _responseGate = new(1, 1);
    private readonly CancellationTokenSource? _deadlineSource;
    private readonly CancellationTokenSource? _linkedSource;
    private readonly CancellationToken _serverStopping;
    private readonly CallVerifier? _verifier;
    private IResponseSealer? _sealer;
    private Metadata? _requestHeaders;
    private Metadata? _responseTrailers;
    private bool _responseStarted;
    private bool _completed;
    private volatile bool _clientGone;

    internal ServerCallContext(
        HttpContext http, string method, GrpcServerOptions options, TimeProvider timeProvider, CallVerifier? verifier, CancellationToken serverStopping)
    {
        _http = http;
        _verifier = verifier;
        _options = options;
        _serverStopping = serverStopping;
        Method = method;

        var aborted = http.RequestAborted;
        if (GrpcTimeout.TryParse(http.Request.Headers[GrpcProtocol.TimeoutHeader], out var timeout))
        {
            Deadline = timeProvider.GetUtcNow() + timeout;
            _deadlineSource = new CancellationTokenSource(timeout, timeProvider);
        }

        if (_deadlineSource is not null || serverStopping.CanBeCanceled)
        {
            _linkedSource = CancellationTokenSource.CreateLinkedTokenSource(
                aborted, _deadlineSource?.Token ?? CancellationToken.None, serverStopping);
            CancellationToken = _linkedSource.Token;
        }
        else
        {
            CancellationToken = aborted;
        }
    }

    /// <summary>The method path, <c>/package.Service/Method</c>.</summary>
    public string Method { get; }

    /// <summary>When the call must end, if the client set a deadline.</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>Fires when the call ends early: cancelled, disconnected, past its deadline, or the server stops.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The peer's address: <c>ipv4:127.0.0.1:5000</c>, <c>ipv6:[::1]:5000</c> or <c>unix:</c>.</summary>
    public string Peer => _http.Connection.RemoteIpAddress switch
    {
        null => "unix:",
        { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ip => $"ipv6:[{ip}]:{_http.Connection.RemotePort}",
        var ip => $"ipv4:{ip}:{_http.Connection.RemotePort}",
    };

    /// <summary>The custom metadata the client sent (protocol headers left out).</summary>
    public Metadata RequestHeaders => _requestHeaders ??= MetadataCodec.FromHeaders(_http.Request.Headers);

    /// <summary>Metadata to send with the status at the end of the call.</summary>
    public Metadata ResponseTrailers => _responseTrailers ??= new Metadata();

    /// <summary>State shared with whatever runs around the handler (authentication, for one).</summary>
    public IDictionary<object, object?> Items => _http.Items;

    /// <summary>Sends the response headers now, with <paramref name="headers"/>; at most once, before any message.</summary>
    /// <exception cref="InvalidOperationException">Headers or a message were already sent.</exception>
    public async Task WriteResponseHeadersAsync(Metadata headers)
    {
        await _responseGate.WaitAsync(CancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfCompleted();
            if (_responseStarted)
            {
                throw new InvalidOperationException("Response headers can be sent only once, before the first message.");
            }

            foreach (var entry in headers)
            {
                _http.Response.Headers.Append(entry.Key, MetadataCodec.ToHeaderValue(entry));
            }

            _responseStarted = true;
            await _http.Response.BodyWriter.FlushAsync(CancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _responseGate.Release();
        }
    }

    /// <summary>True once the server is stopping and has ended this call (a stream) with <see cref="StatusCode.Unavailable"/>.</summary>
    public bool IsServerStopping => _serverStopping.IsCancellationRequested;

    internal bool IsPastDeadline => _deadlineSource?.IsCancellationRequested == true;

    internal bool IsClientGone => _clientGone || _http.RequestAborted.IsCancellationRequested;

    internal string? RequestEncoding => _http.Request.Headers[GrpcProtocol.EncodingHeader];

    /// <summary>Reads the one request message a unary or server-streaming call carries.</summary>
    internal async ValueTask<T> ReadSingleRequestAsync<T>(MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        var reader = new MessageReader(_http.Request.BodyReader, _options.MaxReceiveMessageSize, RequestEncoding);
        var request = await reader.ReadAsync(parser, CancellationToken, _verifier is null ? null : Verify).ConfigureAwait(false)
            ?? throw new RpcException(StatusCode.Internal, "The request ended without a message; this method takes exactly one.");
        if (await reader.ReadAsync(parser, CancellationToken).ConfigureAwait(false) is not null)
        {
            throw new RpcException(StatusCode.Internal, "The request carried more than one message; this method takes exactly one.");
        }

        return request;
    }

    /// <summary>
    /// The requests of a duplex-streaming call, read as they come. The call is verified first, before
    /// any message arrives, so a signature there covers the method and metadata but no request bytes.
    /// </summary>
    internal IAsyncStreamReader<T> OpenRequestStream<T>(MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        if (_verifier is not null)
        {
            Verify(System.Buffers.ReadOnlySequence<byte>.Empty);
        }

        return new RequestStreamReader<T>(this, new MessageReader(_http.Request.BodyReader, _options.MaxReceiveMessageSize, RequestEncoding), parser);
    }

    private System.Buffers.ReadOnlySequence<byte> Verify(System.Buffers.ReadOnlySequence<byte> request)
    {
        _sealer = _verifier!.Verify(this, request);
        return request;
    }

    internal async Task WriteMessageAsync(IMessage message, bool flush, CancellationToken cancellationToken)
    {
        await _responseGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfCompleted();
            MessageFraming.Write(_http.Response.BodyWriter, message, _options.MaxSendMessageSize, _sealer);
            _responseStarted = true;
            if (flush)
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _responseGate.Release();
        }
    }

    /// <summary>Writes <paramref name="messages"/>, serialized already, in order (each sealed when the call is), then flushes once.</summary>
    internal async Task WriteMessagesAsync<T>(IReadOnlyList<SerializedMessage<T>> messages, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        if (messages.Count == 0)
        {
            return;
        }

        await _responseGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfCompleted();
            var writer = _http.Response.BodyWriter;
            for (var i = 0; i < messages.Count; i++)
            {
                MessageFraming.Write(writer, messages[i].Bytes.Span, _options.MaxSendMessageSize, _sealer);
            }

            _responseStarted = true;
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _responseGate.Release();
        }
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var result = await _http.Response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCompleted || result.IsCanceled)
        {
            // The stream is gone (reset or disconnected). Kestrel fires RequestAborted
            // later, on the thread pool; the handler's token must say so now.
            _clientGone = true;
            _linkedSource?.Cancel();
            throw new OperationCanceledException("The client has gone.", CancellationToken);
        }
    }

    /// <summary>
    /// Ends the call with <paramref name="status"/>: in the trailers after messages, or as a
    /// trailers-only response when nothing was sent yet. Only the first completion counts.
    /// </summary>
    internal async Task CompleteAsync(Status status)
    {
        await _responseGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            _sealer?.SealEnd(status, ResponseTrailers);
            var response = _http.Response;
            var trailersOnly = !_responseStarted;

            // A call that sent nothing answers with one HEADERS frame (trailers-only); otherwise
            // the status follows the messages as trailers.
            void Send(string name, string value)
            {
                if (trailersOnly)
                {
                    response.Headers.Append(name, value);
                }
                else
                {
                    response.AppendTrailer(name, value);
                }
            }

            Send(GrpcProtocol.StatusHeader, ((int)status.Code).ToString(CultureInfo.InvariantCulture));
            if (status.Detail.Length > 0)
            {
                Send(GrpcProtocol.MessageHeader, PercentEncoding.Encode(status.Detail));
            }

            foreach (var entry in _responseTrailers ?? Enumerable.Empty<Metadata.Entry>())
            {
                Send(entry.Key, MetadataCodec.ToHeaderValue(entry));
            }
        }
        finally
        {
            _responseGate.Release();
        }
    }

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException($"The call {Method} has already ended; nothing more can be sent.");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _linkedSource?.Dispose();
        _deadlineSource?.Dispose();
    }

    private sealed class RequestStreamReader<T>(ServerCallContext context, MessageReader reader, MessageParser<T> parser) : IAsyncStreamReader<T>
        where T : class, IMessage<T>
    {
        public T Current { get; private set; } = null!;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            using var linked = cancellationToken.CanBeCanceled
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, context.CancellationToken)
                : null;
            var next = await reader.ReadAsync(parser, linked?.Token ?? context.CancellationToken).ConfigureAwait(false);
            if (next is null)
            {
                return false;
            }

            Current = next;
            return true;
        }
    }
}
