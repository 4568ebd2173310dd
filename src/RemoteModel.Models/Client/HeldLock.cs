using Grpc.Core;
using RemoteModel.Models.V1;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Models.Client;

/// <summary>
/// A model's exclusive lock, held by an open HoldLock stream for as long as this object is not
/// disposed: the server releases it the moment the stream ends, however it ends (this process
/// killed included). Disposing releases it and waits for the server to say so. When an admin
/// breaks it or the connection is lost, <see cref="Lost"/> completes with why.
/// </summary>
public sealed class HeldLock : IAsyncDisposable, IDisposable
{
    private readonly ModelClient _client;
    private readonly string _model;
    private readonly Func<CallOptions> _unlockOptions;
    private readonly AsyncServerStreamingCall<LockEvent> _call;
    private readonly CancellationTokenSource _stream;
    private readonly Task<string> _lost;
    private int _disposed;

    private HeldLock(ModelClient client, string model, Func<CallOptions> unlockOptions, AsyncServerStreamingCall<LockEvent> call, CancellationTokenSource stream, LockInfo held)
    {
        _client = client;
        _model = model;
        _unlockOptions = unlockOptions;
        _call = call;
        _stream = stream;
        Lock = held;
        _lost = WatchAsync();
    }

    /// <summary>The model locked.</summary>
    public string Model => _model;

    /// <summary>The lock as the server granted it: holder and since when.</summary>
    public LockInfo Lock { get; }

    /// <summary>Whether the lock is still held by this stream, as far as this process knows.</summary>
    public bool IsHeld => !_lost.IsCompleted && Volatile.Read(ref _disposed) == 0;

    /// <summary>Completes, with why, when the stream ends: the lock broken by an admin (the server's ABORTED message), the stream cut, or released by disposing.</summary>
    public Task<string> Lost => _lost;

    /// <summary>
    /// Takes <paramref name="model"/>'s lock through <paramref name="client"/> and answers once the
    /// server says it is held. <paramref name="options"/> carry who calls (headers); their deadline
    /// and token bound only the taking, not how long the lock is held. <paramref name="unlockOptions"/>
    /// gives the options of the Unlock call made when disposing.
    /// </summary>
    /// <exception cref="RpcException">FAILED_PRECONDITION naming who holds it; PERMISSION_DENIED without scope control; any other failure of the call.</exception>
    internal static async Task<HeldLock> TakeAsync(ModelClient client, string model, CallOptions options, Func<CallOptions> unlockOptions)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(unlockOptions);
        var stream = new CancellationTokenSource();
        var call = client.HoldLock(new HoldLockRequest { Model = model }, new CallOptions(options.Headers, cancellationToken: stream.Token));
        try
        {
            if (options.Deadline is { } deadline)
            {
                var left = deadline - DateTime.UtcNow;
                stream.CancelAfter(left < TimeSpan.Zero ? TimeSpan.Zero : left > TimeSpan.FromDays(1) ? TimeSpan.FromDays(1) : left);
            }

            using var giveUp = options.CancellationToken.Register(stream.Cancel);
            if (!await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
            {
                throw new RpcException(new Status(StatusCode.Unavailable, $"the HoldLock stream of '{model}' ended before the lock was held"));
            }

            // Held: from now on only disposing ends the stream.
            stream.CancelAfter(Timeout.InfiniteTimeSpan);
            return new HeldLock(client, model, unlockOptions, call, stream, call.ResponseStream.Current.Lock);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && !options.CancellationToken.IsCancellationRequested)
        {
            call.Dispose();
            stream.Dispose();
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"the lock of '{model}' was not granted in time"));
        }
        catch
        {
            call.Dispose();
            stream.Dispose();
            throw;
        }
    }

    /// <summary><c>ticker locked by alice@lab since 2026-12-07 05:30:00 UTC</c>, or how it was lost.</summary>
    public override string ToString() =>
        $"{_model} {Lock.ToDisplayString()}"
        + (Volatile.Read(ref _disposed) != 0 ? " (released)" : _lost.IsCompletedSuccessfully ? $" (lost: {_lost.Result})" : string.Empty);

    /// <summary>Releases the lock: an Unlock the server answers, then the stream ends. Never throws; a lock already lost stays lost.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_lost.IsCompleted)
        {
            try
            {
                // Released at once, so that whoever waits for it can have it as soon as this returns.
                await _client.UnlockAsync(new UnlockRequest { Model = _model }, _unlockOptions()).ConfigureAwait(false);
            }
            catch (RpcException)
            {
                // The stream's end releases it anyway.
            }
        }

        await _stream.CancelAsync().ConfigureAwait(false);
        await _lost.ConfigureAwait(false);
        _call.Dispose();
        _stream.Dispose();
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task<string> WatchAsync()
    {
        try
        {
            while (await _call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
            {
            }

            return "the server ended the HoldLock stream (the lock was released)";
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Aborted)
        {
            return ex.Status.Detail;
        }
        catch (RpcException ex)
        {
            return $"the HoldLock stream was cut ({ex.StatusCode}: {ex.Status.Detail}); the server released the lock";
        }
    }
}
