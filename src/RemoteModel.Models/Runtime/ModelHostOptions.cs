namespace RemoteModel.Models;

/// <summary>Limits of a hosted model, its viewers, its change log and its audit history.</summary>
public sealed class ModelHostOptions
{
    /// <summary>
    /// How many notifications an EVERY_CHANGE viewer may have waiting. A viewer that falls this
    /// far behind loses its queue and gets a fresh RESYNC snapshot instead. Default 1024.
    /// </summary>
    public int ViewerQueueCapacity { get; set; } = 1024;

    /// <summary>How many viewers one model accepts at once; more get RESOURCE_EXHAUSTED. Default 10,000.</summary>
    public int MaxViewers { get; set; } = 10_000;

    /// <summary>How many audit records (modifies and invocations) a model keeps for History. Default 1000.</summary>
    public int HistoryCapacity { get; set; } = 1000;

    /// <summary>
    /// How many of its newest committed changes a model keeps, so a viewer that resumes from a
    /// version it saw can be sent the changes after it instead of a fresh snapshot. Default 1024.
    /// </summary>
    public int ChangeLogCapacity { get; set; } = 1024;

    /// <summary>How many records History returns when the request gives no limit. Default 100.</summary>
    public int DefaultHistoryLimit { get; set; } = 100;

    /// <summary>The highest max_rate_hz a viewer may ask for. Default 1000.</summary>
    public double MaxViewerRateHz { get; set; } = 1000;

    /// <summary>What <see cref="Problem"/> says when something is wrong.</summary>
    internal const string LimitsMustBePositive =
        "Model host limits must be positive: ViewerQueueCapacity, MaxViewers, HistoryCapacity, ChangeLogCapacity, DefaultHistoryLimit, MaxViewerRateHz.";

    internal void Validate()
    {
        if (Problem() is { } problem)
        {
            throw new ArgumentException(problem);
        }
    }

    /// <summary>What is wrong with these limits, or null.</summary>
    internal string? Problem() =>
        ViewerQueueCapacity < 1 || MaxViewers < 1 || HistoryCapacity < 1 || ChangeLogCapacity < 1 || DefaultHistoryLimit < 1 || !(MaxViewerRateHz > 0)
            ? LimitsMustBePositive
            : null;
}
