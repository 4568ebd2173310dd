namespace RemoteModel.Hosting.Monitoring;

/// <summary>The traffic monitor's limits; bound from the <c>Monitor</c> configuration section.</summary>
public sealed class MonitorOptions
{
    /// <summary>
    /// How many events may wait for one watcher that does not ask for another length; when its
    /// queue is full, new events are dropped for it (and it is told how many). Default 1,000.
    /// </summary>
    public int QueueLength { get; set; } = 1_000;

    /// <summary>The longest queue a watcher may ask for. Default 100,000.</summary>
    public int MaxQueueLength { get; set; } = 100_000;

    /// <summary>What the settings must satisfy, as a refusal at start says it.</summary>
    internal const string Rules = "Monitor:QueueLength must be at least 1 and Monitor:MaxQueueLength at least QueueLength.";

    /// <summary>True when the settings are usable.</summary>
    internal bool IsValid => QueueLength >= 1 && MaxQueueLength >= QueueLength;
}
