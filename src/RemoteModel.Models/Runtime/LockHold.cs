using RemoteModel.Models.V1;

namespace RemoteModel.Models.Runtime;

/// <summary>A lock held by a stream: the stream waits for <see cref="Ended"/>, and ends ABORTED when <see cref="BrokenBy"/> is set.</summary>
internal sealed class LockHold(LockInfo held)
{
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The lock as this stream holds it.</summary>
    public LockInfo Lock { get; } = held;

    /// <summary>Completes when the lock is no longer held by this stream: released, broken, or the model removed.</summary>
    public Task Ended => _ended.Task;

    /// <summary>Who broke the lock; null when it ended otherwise.</summary>
    public string? BrokenBy { get; private set; }

    internal void End(string? brokenBy)
    {
        BrokenBy = brokenBy;
        _ended.TrySetResult();
    }
}
