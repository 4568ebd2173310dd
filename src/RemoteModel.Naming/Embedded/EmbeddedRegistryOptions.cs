namespace RemoteModel.Naming.Embedded;

/// <summary>Limits of the in-process registry store.</summary>
public sealed class EmbeddedRegistryOptions
{
    /// <summary>
    /// The file that keeps static (unleased) registrations across restarts; leased ones are never
    /// written, since their holders register again. Null keeps everything in memory.
    /// </summary>
    public string? PersistencePath { get; set; }

    /// <summary>How many recent changes are remembered, so a watch can resume after a revision. Default 10,000.</summary>
    public int HistoryLength { get; set; } = 10_000;

    /// <summary>
    /// How many changes one watcher may fall behind before it is ended (and starts again from a
    /// snapshot), so a slow watcher never holds up the registry. Default 10,000.
    /// </summary>
    public int WatcherQueueLength { get; set; } = 10_000;
}
