namespace RemoteModel.Naming.Server;

/// <summary>Limits of the naming service; bound from the <c>Naming</c> configuration section.</summary>
public sealed class NamingServiceOptions
{
    /// <summary>The TTL of a registration that does not ask for one. Default 30 s.</summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The shortest TTL accepted. Default 2 s (etcd's minimum).</summary>
    public TimeSpan MinTtl { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest TTL accepted. Default 1 hour.</summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The lease behind a registration held by a stream. The stream's end ends the registration at
    /// once; the lease only matters if this name server itself dies. Default 10 s.
    /// </summary>
    public TimeSpan HoldLeaseTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest a lookup may wait for a name to appear. Default 5 minutes.</summary>
    public TimeSpan MaxLookupWait { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a pattern may take to match one name before it is refused. Default 100 ms.</summary>
    public TimeSpan PatternTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long the watch that logs registrations ending by themselves waits before it watches the
    /// store again, after the store could not be reached or lost the watch's place. Default 1 s.
    /// </summary>
    public TimeSpan StoreRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The name this server gives in Ping answers. Default the machine name.</summary>
    public string ServerName { get; set; } = Environment.MachineName;

    /// <summary>What the settings must satisfy, as a refusal at start says it.</summary>
    internal const string Rules =
        "Naming settings: MinTtl at least 1 s, MaxTtl at least MinTtl, DefaultTtl 0 (static) or within MinTtl..MaxTtl, HoldLeaseTtl at least MinTtl, MaxLookupWait not negative, PatternTimeout and StoreRetryDelay positive.";

    /// <summary>What is wrong with these settings, or null.</summary>
    internal string? Problem() =>
        MinTtl < TimeSpan.FromSeconds(1) || MaxTtl < MinTtl ? "Naming:MinTtl must be at least 1 s and Naming:MaxTtl at least MinTtl."
        : DefaultTtl != TimeSpan.Zero && (DefaultTtl < MinTtl || DefaultTtl > MaxTtl) ? "Naming:DefaultTtl must be 0 (static) or within MinTtl..MaxTtl."
        : HoldLeaseTtl < MinTtl ? "Naming:HoldLeaseTtl must be at least MinTtl."
        : MaxLookupWait < TimeSpan.Zero || PatternTimeout <= TimeSpan.Zero || StoreRetryDelay <= TimeSpan.Zero ? "Naming:MaxLookupWait, PatternTimeout and StoreRetryDelay must be positive."
        : null;
}
