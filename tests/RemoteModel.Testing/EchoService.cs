using Google.Protobuf;
using RemoteModel.Testing.V1;
using Grpc.Core;
using RemoteModel.Grpc;
using RemoteModel.Grpc.Server;

namespace RemoteModel.Testing;

/// <summary>
/// The echo service as echo.proto describes it: behaviour steered by the request, and counters
/// of what the server observed so tests can check cancellation and deadlines reached it.
/// <c>Unimplemented</c> is left to the generated base, which answers UNIMPLEMENTED.
/// </summary>
/// <param name="timeProvider">The clock of the delays.</param>
/// <param name="batchedStream">Stream writes 1 single reply, then batches of 7 serialized replies (the last one shorter), then 1 single, then the empty batch.</param>
public sealed class EchoService(TimeProvider? timeProvider = null, bool batchedStream = false) : Echo.EchoBase
{
    public const string SecretDetail = "SECRET-INTERNAL-DETAIL";

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private long _cancelled;
    private long _deadlineExceeded;
    private long _completed;
    private readonly TaskCompletionSource _firstCancellation = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long CancelledCalls => Interlocked.Read(ref _cancelled);

    public long DeadlineExceededCalls => Interlocked.Read(ref _deadlineExceeded);

    /// <summary>Completes when a handler first sees its call cancelled.</summary>
    public Task FirstCancellation => _firstCancellation.Task;

    /// <inheritdoc />
    public override Task<StatsReply> Stats(StatsRequest request, ServerCallContext context) =>
        Task.FromResult(new StatsReply
        {
            CancelledCalls = CancelledCalls,
            DeadlineExceededCalls = DeadlineExceededCalls,
            CompletedCalls = Interlocked.Read(ref _completed),
        });

    /// <inheritdoc />
    public override async Task<EchoReply> Unary(EchoRequest request, ServerCallContext context)
    {
        return await Observe(context, async () =>
        {
            if (request.EchoMetadata)
            {
                await EchoMetadataAsync(context);
            }

            if (request.DelayMs > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(request.DelayMs), _time, context.CancellationToken);
            }

            Fail(request.Fail);
            return new EchoReply
            {
                Payload = request.ReplySize > 0 ? ByteString.CopyFrom(new byte[request.ReplySize]) : request.Payload,
            };
        });
    }

    /// <inheritdoc />
    public override Task Stream(StreamRequest request, IServerStreamWriter<EchoReply> stream, ServerCallContext context) =>
        Observe(context, async () =>
        {
            if (batchedStream)
            {
                await WriteBatchedAsync(request, stream);
                return true;
            }

            if (request.EchoMetadata)
            {
                await EchoMetadataAsync(context);
            }

            var payload = ByteString.CopyFrom(new byte[request.PayloadSize]);
            for (var i = 0; i < request.Count; i++)
            {
                if (request.IntervalMs > 0 && i > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(request.IntervalMs), _time, context.CancellationToken);
                }

                await stream.WriteAsync(new EchoReply { Payload = payload, Sequence = i });
            }

            Fail(request.FailAfter);
            return true;
        });

    private async Task<T> Observe<T>(ServerCallContext context, Func<Task<T>> handler)
    {
        try
        {
            var result = await handler();
            Interlocked.Increment(ref _completed);
            return result;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _cancelled);
            if (context.Deadline <= _time.GetUtcNow().UtcDateTime)
            {
                Interlocked.Increment(ref _deadlineExceeded);
            }

            _firstCancellation.TrySetResult();
            throw;
        }
    }

    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        var echoed = new Metadata();
        foreach (var entry in context.RequestHeaders)
        {
            if (!entry.Key.StartsWith("x-echo-", StringComparison.Ordinal))
            {
                continue;
            }

            echoed.Add(entry);
            context.ResponseTrailers.Add(entry);
        }

        await context.WriteResponseHeadersAsync(echoed);
    }

    private static void Fail(Failure? failure)
    {
        if (failure is null)
        {
            return;
        }

        if (failure.Crash)
        {
            throw new InvalidOperationException($"Simulated crash with {SecretDetail}");
        }

        if (failure.Code != 0)
        {
            throw new RpcException(new Status((StatusCode)failure.Code, failure.Message));
        }
    }

    private static async Task WriteBatchedAsync(StreamRequest request, IServerStreamWriter<EchoReply> stream)
    {
        var payload = ByteString.CopyFrom(new byte[request.PayloadSize]);
        EchoReply Reply(int i) => new() { Payload = payload, Sequence = i };
        await stream.WriteAsync(Reply(0));
        var i = 1;
        for (; i < request.Count - 1; i += 7)
        {
            await stream.WriteAllAsync([.. Enumerable.Range(i, Math.Min(7, request.Count - 1 - i)).Select(n => new SerializedMessage<EchoReply>(Reply(n)))]);
        }

        await stream.WriteAsync(Reply(request.Count - 1));
        await stream.WriteAllAsync(Array.Empty<SerializedMessage<EchoReply>>());
    }
}
