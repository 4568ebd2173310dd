using System.Globalization;

namespace RemoteModel.Bench;

/// <summary>
/// One target the move onto the stock gRPC stack set itself, and what this run measured for it: read off the rows
/// above (no workload of its own), so a run of the code before the move, whose results have the same rows, answers it too.
/// </summary>
/// <param name="Target">What is aimed at, with its bound: "sequential Query median &lt;= 60 us".</param>
/// <param name="Source">The row (and column) it is read from.</param>
/// <param name="Measured">What this run measured, in the target's unit; null: its workloads did not run.</param>
/// <param name="Unit">The target's unit.</param>
/// <param name="Bound">The bound.</param>
/// <param name="AtMost">True: the measurement must not pass <paramref name="Bound"/>; false: it must reach it.</param>
internal sealed record Aim(string Target, string Source, double? Measured, string Unit, double Bound, bool AtMost)
{
    public string ToMarkdownRow()
    {
        var measured = Measured is { } value ? $"{value.ToString(value >= 1_000 ? "N0" : "N1", CultureInfo.InvariantCulture)} {Unit}" : "not run";
        var met = Measured is { } m ? (AtMost ? m <= Bound : m >= Bound) ? "yes" : "no" : "-";
        return $"| {Target} | {measured} | {met} | {Source} |";
    }
}

/// <summary>The aims, each read off this run's results.</summary>
internal static class Aims
{
    /// <summary>The notifications a second of the delivery row that delivered the most, with that row's name.</summary>
    private static (double? Rate, string Row) FastestDelivery(IReadOnlyList<Measurement> results) =>
        results.Where(r => r.System == ModelWorkloads.System && r.Workload.StartsWith(ModelWorkloads.DeliveryPrefix, StringComparison.Ordinal))
            .OrderByDescending(r => r.OpsPerSecond)
            .Select(r => ((double?)r.OpsPerSecond, r.Workload))
            .FirstOrDefault((null, "the fastest of the delivery rows"));

    public static List<Aim> Read(IReadOnlyList<Measurement> results, IReadOnlyList<ViewerMemory> memory)
    {
        Measurement? Row(string workload, string system) => results.FirstOrDefault(r => r.Workload == workload && r.System == system);
        // Both from the one window that alternated them: machine noise slows both alike.
        var unsigned = Row(TransportWorkloads.PairedUnaryLatency, TransportWorkloads.System);
        var signed = Row(TransportWorkloads.PairedSignedUnaryLatency, TransportWorkloads.System);
        var pacedThousand = ModelWorkloads.PacedDelivery(1_000);
        var (deliveryRate, deliveryRow) = FastestDelivery(results);
        // The pair neither side saturates: its difference is the hop, not queueing on shared cores.
        var directHop = ModelWorkloads.FanOut(ModelWorkloads.HopViewers, 0, ModelWorkloads.FanOutRateHz);
        var relayedHop = ModelWorkloads.FanOut(ModelWorkloads.HopViewers, 1, ModelWorkloads.FanOutRateHz);
        var direct = Row(directHop, ModelWorkloads.System);
        var relayed = Row(relayedHop, ModelWorkloads.System);
        var idle = memory.FirstOrDefault(m => m.System == ModelWorkloads.System && m.Viewers == ModelWorkloads.IdleViewers);
        return
        [
            new("sequential Query median <= 60 us", $"{ModelWorkloads.QueryLatency}, median",
                Row(ModelWorkloads.QueryLatency, ModelWorkloads.System)?.MedianMicros, "us", 60, AtMost: true),
            new("Query calls/s with 32 callers >= 80,000", $"{ModelWorkloads.QueryThroughput}, ops/s",
                Row(ModelWorkloads.QueryThroughput, ModelWorkloads.System)?.OpsPerSecond, "calls/s", 80_000, AtMost: false),
            new("signed name lookups/s with 32 callers >= 30,000", $"{NamingWorkloads.LookupThroughput}, ops/s",
                Row(NamingWorkloads.LookupThroughput, NamingWorkloads.System)?.OpsPerSecond, "lookups/s", 30_000, AtMost: false),
            new("1,000 viewers, one change at a time, p99 <= 10 ms", $"{pacedThousand}, p99",
                Row(pacedThousand, ModelWorkloads.System)?.P99Micros / 1_000, "ms", 10, AtMost: true),
            new("notifications/s delivered >= 600,000", $"{deliveryRow}, ops/s (the fastest delivery row)",
                deliveryRate, "notifications/s", 600_000, AtMost: false),
            new($"KiB per idle viewer at {ModelWorkloads.IdleViewers.ToString("N0", CultureInfo.InvariantCulture)} viewers <= 16", "memory per idle viewer, per viewer",
                idle?.PerViewerKiB, "KiB", 16, AtMost: true),
            new("signed+sealed unary call at most 15 us more than unsigned", $"median of {TransportWorkloads.PairedSignedUnaryLatency} minus median of {TransportWorkloads.PairedUnaryLatency}",
                signed?.MedianMicros - unsigned?.MedianMicros, "us", 15, AtMost: true),
            new($"a relay hop adds at most 2 ms to p99 at {ModelWorkloads.FanOutRateHz:0} changes/s",
                $"p99 of {relayedHop} minus p99 of {directHop}",
                (relayed?.P99Micros - direct?.P99Micros) / 1_000, "ms", 2, AtMost: true),
        ];
    }
}
