using System.Diagnostics;
using System.Globalization;

namespace RemoteModel.Bench;

/// <summary>One row of the results: a workload done by one system.</summary>
internal sealed record Measurement(string Workload, string System, double? MedianMicros, double? P99Micros, double OpsPerSecond, long Count)
{
    public static Measurement FromLatencies(string workload, string system, List<long> ticks, TimeSpan elapsed)
    {
        ticks.Sort();
        double Micros(double quantile) =>
            ticks[(int)Math.Min(ticks.Count - 1, Math.Floor(quantile * ticks.Count))] * 1_000_000.0 / Stopwatch.Frequency;
        return new Measurement(workload, system, Micros(0.5), Micros(0.99), ticks.Count / elapsed.TotalSeconds, ticks.Count);
    }

    public string ToMarkdownRow() =>
        $"| {Workload} | {System} | {Format(MedianMicros)} | {Format(P99Micros)} | {OpsPerSecond.ToString("N0", CultureInfo.InvariantCulture)} | {Count.ToString("N0", CultureInfo.InvariantCulture)} |";

    private static string Format(double? micros) => micros is { } value ? value.ToString("F1", CultureInfo.InvariantCulture) : "-";
}
