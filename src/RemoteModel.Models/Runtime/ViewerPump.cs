using System.Collections.Concurrent;
using RemoteModel.Grpc.Telemetry;

namespace RemoteModel.Models.Runtime;

/// <summary>
/// Writes viewers' queued notifications, one model's viewers at a time in one pass: the change path
/// marks a viewer ready and hands it here; the pump, one work item at a time, takes each ready
/// viewer's batch and writes it to the viewer's stream. A write that completes at once (the usual
/// case: the transport only copies the bytes) lets the pump go straight on to the next viewer, so a
/// change reaches a thousand viewers without a thousand thread-pool wake-ups; a write that waits
/// (the viewer's connection is full) is left to finish on its own, and that viewer rejoins the pump
/// when it does. No viewer is waited for, and a viewer that is still being written to is not handed
/// here again: under load, each pass finds more queued per viewer and writes it with one flush.
/// </summary>
internal sealed class ViewerPump(string model, Action<Viewer> resynchronise, TimeProvider timeProvider) : IThreadPoolWorkItem
{
    private readonly KeyValuePair<string, object?> _modelTag = RemoteModelDiagnostics.ModelTag(model);
    private readonly ConcurrentQueue<Viewer> _ready = new();
    private int _scheduled;

    /// <summary>Hands a viewer that has just become ready (<see cref="Viewer.Offer"/> said so) to the pump.</summary>
    public void Schedule(Viewer viewer)
    {
        _ready.Enqueue(viewer);
        if (Interlocked.Exchange(ref _scheduled, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>A viewer's write (its snapshot, say) is over: back to idle, or to the pump when more is queued.</summary>
    public void Finish(Viewer viewer, int written)
    {
        if (written > 0)
        {
            RemoteModelDiagnostics.NotificationsDelivered.Add(written, _modelTag);
        }

        if (viewer.Finish(written))
        {
            Schedule(viewer);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        // One pass at a time: a viewer scheduled during the pass is taken by this one.
        while (true)
        {
            while (_ready.TryDequeue(out var viewer))
            {
                try
                {
                    Deliver(viewer);
                }
                catch (Exception ex)
                {
                    // Not the pump's to die of (it would take the process with it): that viewer's call ends with the error.
                    viewer.End(ex);
                }
            }

            Volatile.Write(ref _scheduled, 0);
            if (_ready.IsEmpty || Interlocked.Exchange(ref _scheduled, 1) != 0)
            {
                return;
            }
        }
    }

    private void Deliver(Viewer viewer)
    {
        if (viewer.HasEnded)
        {
            return;
        }

        var batch = viewer.Take();
        if (batch is null)
        {
            resynchronise(viewer);
            batch = viewer.Take()!;
        }

        if (batch.Count == 0)
        {
            Finish(viewer, 0);
            return;
        }

        RemoteModelDiagnostics.ViewerQueueDepth.Record(batch.Count, _modelTag);
        Task write;
        try
        {
            write = viewer.Write(batch, viewer.Token);
        }
        catch (Exception ex)
        {
            Fail(viewer, ex);
            return;
        }

        if (write.IsCompletedSuccessfully && viewer.Interval == TimeSpan.Zero)
        {
            Finish(viewer, batch.Count);
        }
        else
        {
            _ = CompleteAsync(viewer, write, batch.Count);
        }
    }

    /// <summary>Waits for a write the transport could not take at once, and out the interval of a rate-limited viewer.</summary>
    private async Task CompleteAsync(Viewer viewer, Task write, int count)
    {
        try
        {
            await write.ConfigureAwait(false);
            if (viewer.Interval > TimeSpan.Zero)
            {
                await Task.Delay(viewer.Interval, timeProvider, viewer.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Fail(viewer, ex);
            return;
        }

        Finish(viewer, count);
    }

    /// <summary>A stream that failed because its call ended is a viewer that left; any other failure ends the call with it.</summary>
    private static void Fail(Viewer viewer, Exception error) =>
        viewer.End(error is OperationCanceledException || viewer.Token.IsCancellationRequested ? null : error);
}
