using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using RemoteModel.Naming.Registry;

namespace RemoteModel.Naming.Etcd.Gateway;

/// <summary>
/// Posts to etcd's v3 JSON gateway, one member at a time, failing over to the next member when
/// one cannot be reached, does not answer in time, or says it is unavailable. Errors etcd
/// answers on purpose (not found, invalid argument) come back as <see cref="EtcdGatewayException"/>;
/// running out of members, as <see cref="RegistryUnavailableException"/>.
/// </summary>
internal sealed partial class EtcdGatewayClient : IDisposable
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LastBackoff = TimeSpan.FromSeconds(1);
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly Uri[] _endpoints;
    private readonly TimeSpan _requestTimeout;
    private readonly TimeSpan _failoverTimeout;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _disposed = new();
    private readonly ILogger _logger;
    private int _current;

    public EtcdGatewayClient(EtcdRegistryOptions options, ILogger logger)
    {
        // A trailing slash keeps a path the endpoint may have when request paths are appended.
        _endpoints = [.. options.EffectiveEndpoints.Select(e => new Uri(e.AbsoluteUri.TrimEnd('/') + "/"))];
        _requestTimeout = options.RequestTimeout;
        _failoverTimeout = options.FailoverTimeout;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = options.RequestTimeout,
            // etcd members are reached directly: a proxy from the environment is not for them.
            UseProxy = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The member the next request goes to first.</summary>
    public Uri CurrentEndpoint => _endpoints[Volatile.Read(ref _current)];

    /// <summary>
    /// Posts <paramref name="request"/> to <paramref name="path"/> and reads the one answer.
    /// <c>operation</c> says what is being done, for messages: "grant a lease".
    /// </summary>
    public Task<TResponse> PostAsync<TRequest, TResponse>(
        string operation, string path, TRequest request,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
        where TResponse : class =>
        WithFailoverAsync(operation, async (endpoint, token) =>
        {
            using var response = await SendAsync(endpoint, path, request, requestType, HttpCompletionOption.ResponseContentRead, token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(token).ConfigureAwait(false);
            return Parse(endpoint, path, body, responseType);
        }, cancellationToken);

    /// <summary>
    /// Posts one message to a streaming method (such as <c>/v3/lease/keepalive</c>) and reads the
    /// one answer it streams back before the request's end closes the stream.
    /// </summary>
    public Task<TResponse> PostOnceToStreamAsync<TRequest, TResponse>(
        string operation, string path, TRequest request,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<StreamMessage<TResponse>> responseType, CancellationToken cancellationToken)
        where TResponse : class =>
        WithFailoverAsync(operation, async (endpoint, token) =>
        {
            using var response = await SendAsync(endpoint, path, request, requestType, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            await using var stream = new EtcdStream<TResponse>(endpoint, path, response, responseType);
            return await stream.ReadAsync(token).ConfigureAwait(false)
                ?? throw new IOException($"etcd at {endpoint} ended {path} without an answer.");
        }, cancellationToken);

    /// <summary>
    /// Opens a streaming method (such as <c>/v3/watch</c>) and waits for its first message; the
    /// caller reads the rest and disposes the stream. Only the opening fails over.
    /// </summary>
    public Task<(EtcdStream<TResponse> Stream, TResponse First)> OpenStreamAsync<TRequest, TResponse>(
        string operation, string path, TRequest request,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<StreamMessage<TResponse>> responseType, CancellationToken cancellationToken)
        where TResponse : class =>
        WithFailoverAsync(operation, async (endpoint, token) =>
        {
            var response = await SendAsync(endpoint, path, request, requestType, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            var stream = new EtcdStream<TResponse>(endpoint, path, response, responseType);
            try
            {
                var first = await stream.ReadAsync(token).ConfigureAwait(false)
                    ?? throw new IOException($"etcd at {endpoint} ended {path} without an answer.");
                return (stream, first);
            }
            catch
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }, cancellationToken);

    /// <summary>Moves on from <paramref name="endpoint"/>, which broke a stream, unless another request did already.</summary>
    public void ReportBroken(Uri endpoint)
    {
        var index = Array.IndexOf(_endpoints, endpoint);
        if (index >= 0)
        {
            Interlocked.CompareExchange(ref _current, (index + 1) % _endpoints.Length, index);
        }
    }

    /// <summary>Whether <paramref name="error"/> says this member failed, so another should be tried.</summary>
    public static bool IsMemberFailure(Exception error) => error switch
    {
        HttpRequestException or IOException => true,
        EtcdGatewayException gateway => gateway.IsTransient,
        _ => false,
    };

    public void Dispose()
    {
        _disposed.Cancel();
        _http.Dispose();
        _disposed.Dispose();
    }

    private async Task<T> WithFailoverAsync<T>(string operation, Func<Uri, CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var started = Stopwatch.GetTimestamp();
        var backoff = FirstBackoff;
        for (var tries = 1; ; tries++)
        {
            var index = Volatile.Read(ref _current);
            var endpoint = _endpoints[index];
            Exception failure;
            using (var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token))
            {
                attemptCts.CancelAfter(_requestTimeout);
                try
                {
                    return await attempt(endpoint, attemptCts.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (OperationCanceledException ex) when (_disposed.IsCancellationRequested)
                {
                    throw new ObjectDisposedException($"The etcd registry store was disposed while it was trying to {operation}.", ex);
                }
                catch (OperationCanceledException ex)
                {
                    failure = new TimeoutException($"etcd at {endpoint} gave no answer within {_requestTimeout.TotalSeconds:0.###} s.", ex);
                }
                catch (Exception ex) when (IsMemberFailure(ex))
                {
                    failure = ex;
                }
            }

            Interlocked.CompareExchange(ref _current, (index + 1) % _endpoints.Length, index);
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (tries >= _endpoints.Length && elapsed >= _failoverTimeout)
            {
                throw new RegistryUnavailableException(
                    $"Could not {operation} in etcd: no member of {string.Join(", ", _endpoints.Select(e => e.OriginalString))} could serve " +
                    $"within {elapsed.TotalSeconds:0.#} s ({tries} tries); the last, {endpoint}, failed with: {Describe(failure)}",
                    failure);
            }

            LogMemberFailed(endpoint, operation, Describe(failure), CurrentEndpoint);
            if (tries % _endpoints.Length == 0)
            {
                // Every member failed once this round: give an election time to finish.
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, LastBackoff.Ticks));
            }
        }
    }

    private async Task<HttpResponseMessage> SendAsync<TRequest>(
        Uri endpoint, string path, TRequest request, JsonTypeInfo<TRequest> requestType,
        HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(request, requestType));
        content.Headers.ContentType = Json;
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, path)) { Content = content };
        var response = await _http.SendAsync(message, completion, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            throw ErrorOf(endpoint, (int)response.StatusCode, body);
        }
    }

    private static EtcdGatewayException ErrorOf(Uri endpoint, int status, byte[] body)
    {
        try
        {
            if (JsonSerializer.Deserialize(body, GatewayJsonContext.Default.ErrorResponse) is { } error
                && (error.Message ?? error.Error) is { Length: > 0 } detail)
            {
                return new EtcdGatewayException(endpoint, status, error.Code, detail);
            }
        }
        catch (JsonException)
        {
            // Not etcd's error shape: a proxy, or not etcd at all. Tell what came.
        }

        return new EtcdGatewayException(endpoint, status, -1, Snippet(body));
    }

    private static T Parse<T>(Uri endpoint, string path, byte[] body, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            if (JsonSerializer.Deserialize(body, type) is { } parsed)
            {
                return parsed;
            }
        }
        catch (JsonException)
        {
        }

        throw NotTheGateway(endpoint, path, Snippet(body));
    }

    internal static RegistryUnavailableException NotTheGateway(Uri endpoint, string path, string answer) =>
        new($"etcd at {endpoint} answered {path} with something other than the v3 JSON gateway's answer " +
            $"(is it etcd 3.4 or later?): {answer}");

    internal static string Snippet(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 300)).Trim();
        return text.Length == 0 ? "(empty)" : text;
    }

    private static string Describe(Exception error) =>
        error.InnerException is { } inner && error is HttpRequestException ? $"{error.Message} ({inner.Message})" : error.Message;

    [LoggerMessage(Level = LogLevel.Warning, Message = "etcd at {Endpoint} could not {Operation}: {Reason}; trying {Next}")]
    private partial void LogMemberFailed(Uri endpoint, string operation, string reason, Uri next);
}
