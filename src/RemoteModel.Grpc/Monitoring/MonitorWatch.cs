using System.Threading.Channels;

namespace RemoteModel.Grpc.Monitoring;

/// <summary>
/// One watcher of a <see cref="CallMonitor"/>: the records it has yet to read, in a bounded
/// queue that, when full, drops its oldest record for the new one and counts it. What is dropped
/// is always older than what is still queued, so the count read with a record is of records
/// lost between the one read before and this one.
/// </summary>
public sealed class MonitorWatch : IDisposable
{
    private readonly CallMonitor _monitor;
    private readonly Func<CallRecord, bool>? _filter;
    private readonly Channel<CallRecord> _queue;
    private long _dropped;

    internal MonitorWatch(CallMonitor monitor, int queueLength, Func<CallRecord, bool>? filter)
    {
        _monitor = monitor;
        _filter = filter;
        _queue = Channel.CreateBounded<CallRecord>(
            new BoundedChannelOptions(queueLength) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>
    /// The next record, and how many were dropped between the last one read and this one because
    /// the queue was full: waits for one.
    /// </summary>
    public async ValueTask<(CallRecord Record, long DroppedBefore)> ReadAsync(CancellationToken cancellationToken)
    {
        var record = await _queue.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (record, Interlocked.Exchange(ref _dropped, 0));
    }

    /// <summary>Stops watching.</summary>
    public void Dispose()
    {
        _monitor.Remove(this);
        _queue.Writer.TryComplete();
    }

    /// <summary>Queues the record if it passes the filter; never waits.</summary>
    internal void Offer(CallRecord record)
    {
        if (_filter is null || _filter(record))
        {
            _queue.Writer.TryWrite(record);
        }
    }
}
