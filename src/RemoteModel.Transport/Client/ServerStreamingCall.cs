using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace RemoteModel.Transport.Client;

/// <summary>
/// A running server-streaming call. Enumerate <see cref="ReadAllAsync"/> for the messages; the
/// enumeration ends when the server ends the stream with OK and throws <see cref="RpcException"/>
/// for any other end. Disposing the call cancels it.
/// </summary>
/// <typeparam name="TResponse">The response message.</typeparam>
public sealed class ServerStreamingCall<TResponse> : IDisposable
    where TResponse : class, IMessage<TResponse>
{
    private readonly ClientCall<TResponse> _call;
    private readonly Task _started;

    internal ServerStreamingCall(ClientCall<TResponse> call, Task started)
    {
        _call = call;
        _started = started;
    }

    /// <summary>The custom response headers, once the server has sent them.</summary>
    public async Task<Metadata> GetResponseHeadersAsync()
    {
        await _started.ConfigureAwait(false);
        return _call.ResponseHeaders;
    }

    /// <summary>The messages as they arrive. Read once.</summary>
    public async IAsyncEnumerable<TResponse> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var registration = cancellationToken.Register(static state => ((ServerStreamingCall<TResponse>)state!).Dispose(), this);
        await _started.ConfigureAwait(false);
        while (await _call.ReadAsync().ConfigureAwait(false) is { } message)
        {
            yield return message;
        }
    }

    /// <summary>The status the call ended with; null while it runs.</summary>
    public Status? Status => _call.Status;

    /// <summary>The custom trailers, once the call has ended.</summary>
    public Metadata Trailers => _call.Trailers;

    /// <summary>Cancels the call if it is still running.</summary>
    public void Dispose() => _call.Dispose();
}
