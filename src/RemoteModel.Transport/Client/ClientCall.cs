using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using RemoteModel.Transport.Authentication;
using RemoteModel.Transport.Protocol;

namespace RemoteModel.Transport.Client;

/// <summary>
/// One call on the wire, unary or streaming: sends the request, checks the response is gRPC,
/// reads messages, and turns the end (trailers, trailers-only, reset, lost connection, deadline)
/// into a status.
/// </summary>
internal sealed class ClientCall<TResponse> : IDisposable
    where TResponse : class, IMessage<TResponse>
{
    private readonly GrpcChannel _channel;
    private readonly MessageParser<TResponse> _parser;
    private readonly CancellationTokenSource? _deadlineSource;
    private readonly CancellationTokenSource? _callSource;
    private readonly CancellationToken _token;
    private HttpResponseMessage? _response;
    private MessageReader? _reader;
    private Stream? _body;
    private Status? _status;
    private HttpHeaders? _trailerSource;
    private Metadata? _trailers;
    private IResponseVerifier? _verifier;
    private Func<System.Buffers.ReadOnlySequence<byte>, System.Buffers.ReadOnlySequence<byte>>? _open;

    public ClientCall(GrpcChannel channel, MessageParser<TResponse> parser, CallOptions options, bool cancellable)
    {
        _channel = channel;
        _parser = parser;
        Options = options;
        if (options.Timeout is { } timeout)
        {
            _deadlineSource = new CancellationTokenSource(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero, channel.Options.TimeProvider);
        }

        if (_deadlineSource is not null || cancellable)
        {
            _callSource = CancellationTokenSource.CreateLinkedTokenSource(
                options.CancellationToken, _deadlineSource?.Token ?? CancellationToken.None);
            _token = _callSource.Token;
        }
        else
        {
            _token = options.CancellationToken;
        }
    }

    public CallOptions Options { get; }

    public Status? Status => _status;

    /// <summary>The custom trailers, read from the response only when asked for.</summary>
    public Metadata Trailers => _trailers ??= _trailerSource is null ? new Metadata() : MetadataCodec.FromHeaders(_trailerSource);

    public Metadata ResponseHeaders => _response is null ? new Metadata() : MetadataCodec.FromHeaders(_response.Headers);

    public async Task SendAsync(string path, IMessage request)
    {
        try
        {
            using var httpRequest = _channel.CreateRequest(path, request, Options, out _verifier);
            // Made once: a delegate made per message would cost a signed stream an allocation a notification.
            _open = _verifier is null ? null : _verifier.Open;
            _response = await _channel.Invoker.SendAsync(httpRequest, _token).ConfigureAwait(false);
            CheckResponseHeaders(_response);
        }
        catch (Exception ex)
        {
            throw ToRpcException(ex);
        }
    }

    /// <summary>The next message; null at the end of a call that ended OK; throws for any other end.</summary>
    public async ValueTask<TResponse?> ReadAsync()
    {
        if (_status is { } known)
        {
            return known.Code == StatusCode.OK ? null : throw new RpcException(known, Trailers);
        }

        try
        {
            if (_reader is null)
            {
                _body = await _response!.Content.ReadAsStreamAsync(_token).ConfigureAwait(false);
                // Zero-byte reads: a stream waiting for its next message holds no buffer, so a process
                // following a thousand subscriptions does not keep a thousand buffers rented (and the
                // shared pool, emptied, does not fall back to allocating one a read).
                _reader = new MessageReader(
                    PipeReader.Create(_body, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, useZeroByteReads: true)),
                    _channel.Options.MaxReceiveMessageSize,
                    _response.Content.Headers.TryGetValues(GrpcProtocol.EncodingHeader, out var encodings) ? encodings.FirstOrDefault() : null);
            }

            var message = await _reader.ReadAsync(_parser, _token, _open).ConfigureAwait(false);
            if (message is null)
            {
                _status = ReadStatus(_response!.TrailingHeaders)
                    ?? new Status(StatusCode.Internal, "The server ended the response without a grpc-status.");
                _trailerSource = _response.TrailingHeaders;
                _verifier?.CheckEnd(_status.Value, Trailers);
                if (_status.Value.Code != StatusCode.OK)
                {
                    throw new RpcException(_status.Value, Trailers);
                }
            }

            return message;
        }
        catch (Exception ex)
        {
            var rpc = ToRpcException(ex);
            _status = rpc.Status;
            throw rpc;
        }
    }

    /// <summary>Cancels the call if it is still running: the server's handler sees its token fire.</summary>
    public void Dispose()
    {
        if (_status is null)
        {
            _status = new Status(StatusCode.Cancelled, "The call was disposed before it ended.");
            _callSource?.Cancel();
        }

        // Disposing an unfinished HTTP/2 response body resets the stream (RST_STREAM CANCEL).
        _body?.Dispose();
        _response?.Dispose();
        _callSource?.Dispose();
        _deadlineSource?.Dispose();
    }

    private void CheckResponseHeaders(HttpResponseMessage response)
    {
        // A response that carries grpc-status in its headers is trailers-only: the call has ended.
        if (ReadStatus(response.Headers) is { } status)
        {
            _status = status;
            _trailerSource = response.Headers;
            _verifier?.CheckEnd(status, Trailers);
            if (status.Code != StatusCode.OK)
            {
                throw new RpcException(status, Trailers);
            }

            return;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new RpcException(StatusFromHttp(response.StatusCode),
                $"The server answered HTTP {(int)response.StatusCode} {response.ReasonPhrase} without a gRPC status.");
        }

        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            throw new RpcException(StatusCode.Internal,
                $"The server's response is not gRPC: content-type '{contentType}'.");
        }
    }

    private static Status? ReadStatus(HttpHeaders headers)
    {
        if (!headers.TryGetValues(GrpcProtocol.StatusHeader, out var values))
        {
            return null;
        }

        var text = values.FirstOrDefault();
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return new Status(StatusCode.Unknown, $"The server sent an unreadable grpc-status '{text}'.");
        }

        var message = headers.TryGetValues(GrpcProtocol.MessageHeader, out var messages) ? messages.FirstOrDefault() : null;
        return new Status((StatusCode)code, PercentEncoding.Decode(message));
    }

    /// <summary>The mapping of doc/http-grpc-status-mapping.md, for responses with no grpc-status.</summary>
    private static StatusCode StatusFromHttp(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => StatusCode.Internal,
        HttpStatusCode.Unauthorized => StatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
        HttpStatusCode.NotFound => StatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    /// <summary>The message that says what went wrong: "The SSL connection could not be established" only points at its inner exception.</summary>
    private static string Innermost(Exception exception)
    {
        var message = exception.Message;
        for (var inner = exception.InnerException; inner is not null && message.Contains("inner exception", StringComparison.Ordinal); inner = inner.InnerException)
        {
            message = $"{message.Replace(", see inner exception.", string.Empty, StringComparison.Ordinal).TrimEnd('.')}: {inner.Message}";
        }

        return message;
    }

    private RpcException ToRpcException(Exception exception) => exception switch
    {
        RpcException rpc => rpc,
        OperationCanceledException when _deadlineSource?.IsCancellationRequested == true =>
            new RpcException(StatusCode.DeadlineExceeded, "Deadline exceeded."),
        OperationCanceledException when Options.CancellationToken.IsCancellationRequested || _callSource?.IsCancellationRequested == true =>
            new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled."), innerException: exception),
        HttpProtocolException { ErrorCode: 0x8 } =>
            new RpcException(new Status(StatusCode.Cancelled, "The server cancelled the call."), innerException: exception),
        HttpProtocolException { ErrorCode: 0x7 } =>
            new RpcException(new Status(StatusCode.Unavailable, "The server refused the stream; it may be shutting down."), innerException: exception),
        HttpProtocolException protocol =>
            new RpcException(new Status(StatusCode.Internal, $"HTTP/2 error 0x{protocol.ErrorCode:x}: {protocol.Message}"), innerException: exception),
        HttpRequestException request =>
            new RpcException(new Status(StatusCode.Unavailable, $"Cannot reach {_channel.Target}: {Innermost(request)}"), innerException: exception),
        IOException io =>
            new RpcException(new Status(StatusCode.Unavailable, $"The connection to {_channel.Target} was lost: {io.Message}"), innerException: exception),
        _ => new RpcException(new Status(StatusCode.Internal, $"The call failed: {exception.Message}"), innerException: exception),
    };
}
