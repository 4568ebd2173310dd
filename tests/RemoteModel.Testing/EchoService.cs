using Google.Protobuf;
using RemoteModel.Testing.V1;
using RemoteModel.Transport;
using RemoteModel.Transport.Server;

namespace RemoteModel.Testing;

/// <summary>
/// The echo service as echo.proto describes it: behaviour steered by the request, and counters
/// of what the server observed so tests can check cancellation and deadlines reached it.
/// </summary>
public sealed class EchoService(TimeProvider? timeProvider = null)
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

    public ServiceDefinition Bind() =>
        ServiceDefinition.CreateBuilder(EchoMethods.ServiceName)
            .AddUnary(EchoMethods.Unary, UnaryAsync)
            .AddServerStreaming(EchoMethods.Stream, StreamAsync)
            .AddUnary(EchoMethods.Stats, (_, _) => Task.FromResult(new StatsReply
            {
                CancelledCalls = CancelledCalls,
                DeadlineExceededCalls = DeadlineExceededCalls,
                CompletedCalls = Interlocked.Read(ref _completed),
            }))
            .Build();

    private async Task<EchoReply> UnaryAsync(EchoRequest request, ServerCallContext context)
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

    private Task StreamAsync(StreamRequest request, IServerStreamWriter<EchoReply> stream, ServerCallContext context) =>
        Observe(context, async () =>
        {
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
            if (context.Deadline <= _time.GetUtcNow())
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
            throw new RpcException((StatusCode)failure.Code, failure.Message);
        }
    }
}
