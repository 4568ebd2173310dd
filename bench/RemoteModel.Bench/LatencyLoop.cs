using System.Diagnostics;

namespace RemoteModel.Bench;

/// <summary>
/// How every request-response workload is measured: a warm-up whose calls are not counted, then
/// calls back to back for a measured window, each call's latency taken with Stopwatch timestamps.
/// </summary>
internal static class LatencyLoop
{
    /// <summary>Long enough for tiered compilation to settle on both sides.</summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    /// <summary>One caller, one call at a time.</summary>
    public static async Task<Measurement> SequentialAsync(string workload, string system, Func<Task> call, TimeSpan duration)
    {
        await WarmUpAsync(call);
        var total = Stopwatch.StartNew();
        var latencies = await CallUntilAsync(call, total, duration, capacity: 1 << 20);
        return Measurement.FromLatencies(workload, system, latencies, total.Elapsed);
    }

    /// <summary>
    /// Two kinds of call measured in one window, one of each in turn, so that whatever else the machine
    /// does slows both alike: their difference holds across a machine whose speed wanders, where two
    /// windows' medians do not. Each row's ops/s is its own calls over the time they took, as a window
    /// of that kind alone would count them.
    /// </summary>
    public static async Task<(Measurement First, Measurement Second)> AlternatingAsync(
        string system, (string Workload, Func<Task> Call) first, (string Workload, Func<Task> Call) second, TimeSpan duration)
    {
        await WarmUpAsync(async () =>
        {
            await first.Call();
            await second.Call();
        });
        var firstLatencies = new List<long>(1 << 20);
        var secondLatencies = new List<long>(1 << 20);
        var total = Stopwatch.StartNew();
        while (total.Elapsed < duration)
        {
            var start = Stopwatch.GetTimestamp();
            await first.Call();
            var between = Stopwatch.GetTimestamp();
            await second.Call();
            secondLatencies.Add(Stopwatch.GetTimestamp() - between);
            firstLatencies.Add(between - start);
        }

        return (FromAlternate(first.Workload, firstLatencies), FromAlternate(second.Workload, secondLatencies));

        Measurement FromAlternate(string workload, List<long> latencies) =>
            Measurement.FromLatencies(workload, system, latencies, Stopwatch.GetElapsedTime(0, latencies.Sum()));
    }

    /// <summary><paramref name="callers"/> callers at once, each one call at a time, in one shared window.</summary>
    public static async Task<Measurement> ConcurrentAsync(string workload, string system, Func<Task> call, int callers, TimeSpan duration)
    {
        await WarmUpAsync(call);
        var total = Stopwatch.StartNew();
        var perCaller = await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(() => CallUntilAsync(call, total, duration, capacity: 1 << 16))));
        var elapsed = total.Elapsed;
        return Measurement.FromLatencies(workload, system, [.. perCaller.SelectMany(l => l)], elapsed);
    }

    /// <summary>Calls <paramref name="call"/> back to back for <see cref="WarmUp"/>.</summary>
    public static async Task WarmUpAsync(Func<Task> call)
    {
        var until = Stopwatch.StartNew();
        while (until.Elapsed < WarmUp)
        {
            await call();
        }
    }

    private static async Task<List<long>> CallUntilAsync(Func<Task> call, Stopwatch total, TimeSpan duration, int capacity)
    {
        var latencies = new List<long>(capacity);
        while (total.Elapsed < duration)
        {
            var start = Stopwatch.GetTimestamp();
            await call();
            latencies.Add(Stopwatch.GetTimestamp() - start);
        }

        return latencies;
    }
}
