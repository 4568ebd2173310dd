using System.Collections.Frozen;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using RemoteModel.Transport.Authentication;
using RemoteModel.Transport.Protocol;

namespace RemoteModel.Transport.Server;

/// <summary>
/// The one request delegate behind every gRPC server: checks the request is a gRPC call, finds its
/// handler, and turns whatever happens into a gRPC status. Never answers with a bare HTTP error.
/// </summary>
internal sealed partial class GrpcRequestDispatcher
{
    private readonly FrozenDictionary<string, CallHandler> _handlers;
    private readonly FrozenSet<string> _services;
    private readonly GrpcServerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly CallVerifier? _verifier;
    private readonly ILogger _logger;
    private readonly CancellationToken _serverStopping;

    public GrpcRequestDispatcher(
        IEnumerable<ServiceDefinition> services,
        GrpcServerOptions options,
        TimeProvider timeProvider,
        CallVerifier? verifier,
        ILogger logger,
        CancellationToken serverStopping)
    {
        _verifier = verifier;
        var list = services.ToList();
        _handlers = list.SelectMany(s => s.Handlers).ToFrozenDictionary(h => h.FullName, StringComparer.Ordinal);
        _services = list.Select(s => s.Name).ToFrozenSet(StringComparer.Ordinal);
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _serverStopping = serverStopping;
    }

    public Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            return AnswerWithoutCall(http, StatusCodes.Status426UpgradeRequired,
                new Status(StatusCode.Internal, UnsupportedProtocol.Message(request.Protocol)));
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            http.Response.Headers.Allow = "POST";
            return AnswerWithoutCall(http, StatusCodes.Status405MethodNotAllowed,
                new Status(StatusCode.Unimplemented, $"gRPC calls are POST requests; {request.Method} {request.Path} is not one."));
        }

        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            // 415, as the spec asks, so a plain HTTP client cannot mistake this for success.
            return AnswerWithoutCall(http, StatusCodes.Status415UnsupportedMediaType,
                new Status(StatusCode.Internal, $"Content-Type '{request.ContentType}' is not a gRPC content type; expected {GrpcProtocol.ContentType}."));
        }

        var path = request.Path.Value ?? string.Empty;
        if (!_handlers.TryGetValue(path, out var handler))
        {
            return AnswerWithoutCall(http, StatusCodes.Status200OK, new Status(StatusCode.Unimplemented, DescribeUnknownPath(path)));
        }

        return RunCallAsync(http, handler);
    }

    private async Task RunCallAsync(HttpContext http, CallHandler handler)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;

        using var context = new ServerCallContext(
            http, handler.FullName, _options, _timeProvider, _verifier, handler.EndsOnShutdown ? _serverStopping : CancellationToken.None);
        try
        {
            var call = handler.HandleAsync(context);
            if (context.Deadline is not null && !call.IsCompleted)
            {
                // Enforced even when a handler ignores its token: the client gets its answer on time.
                var deadline = Task.Delay(Timeout.InfiniteTimeSpan, _timeProvider, context.CancellationToken);
                if (await Task.WhenAny(call, deadline).ConfigureAwait(false) != call && context.IsPastDeadline)
                {
                    ObserveAbandoned(call, handler.FullName);
                    LogDeadlineExceeded(handler.FullName, context.Peer);
                    await context.CompleteAsync(new Status(StatusCode.DeadlineExceeded, "Deadline exceeded.")).ConfigureAwait(false);
                    return;
                }
            }

            await call.ConfigureAwait(false);
            await context.CompleteAsync(Status.Ok).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await context.CompleteAsync(StatusFor(ex, context, handler.FullName)).ConfigureAwait(false);
        }
    }

    private Status StatusFor(Exception exception, ServerCallContext context, string method)
    {
        switch (exception)
        {
            case RpcException rpc:
                foreach (var entry in rpc.Trailers)
                {
                    context.ResponseTrailers.Add(entry);
                }

                return rpc.Status;
            case OperationCanceledException when context.IsPastDeadline:
                LogDeadlineExceeded(method, context.Peer);
                return new Status(StatusCode.DeadlineExceeded, "Deadline exceeded.");
            case OperationCanceledException when context.IsServerStopping:
                return new Status(StatusCode.Unavailable, "The server is shutting down.");
            case OperationCanceledException when context.IsClientGone:
                return new Status(StatusCode.Cancelled, "The call was cancelled by the client.");
            default:
                LogHandlerFailed(exception, method, context.Peer);
                return new Status(StatusCode.Unknown, _options.EnableDetailedErrors
                    ? $"Exception was thrown by handler: {exception.GetType().Name}: {exception.Message}"
                    : "Exception was thrown by handler.");
        }
    }

    private void ObserveAbandoned(Task call, string method) =>
        call.ContinueWith(
            t => LogAbandonedHandlerFailed(t.Exception!.GetBaseException(), method),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private string DescribeUnknownPath(string path)
    {
        var parts = path.Split('/');
        if (parts.Length != 3 || parts[0].Length != 0 || parts[1].Length == 0 || parts[2].Length == 0)
        {
            return $"'{path}' is not a gRPC method path; expected /package.Service/Method.";
        }

        return _services.Contains(parts[1])
            ? $"Service '{parts[1]}' has no method '{parts[2]}'."
            : $"Service '{parts[1]}' is not served here.";
    }

    private static Task AnswerWithoutCall(HttpContext http, int httpStatus, Status status)
    {
        var response = http.Response;
        response.StatusCode = httpStatus;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.StatusHeader] = ((int)status.Code).ToString(CultureInfo.InvariantCulture);
        response.Headers[GrpcProtocol.MessageHeader] = PercentEncoding.Encode(status.Detail);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler for {Method} failed (peer {Peer})")]
    private partial void LogHandlerFailed(Exception exception, string method, string peer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handler for {Method} failed after its deadline had been answered")]
    private partial void LogAbandonedHandlerFailed(Exception exception, string method);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Call {Method} from {Peer} exceeded its deadline")]
    private partial void LogDeadlineExceeded(string method, string peer);
}
