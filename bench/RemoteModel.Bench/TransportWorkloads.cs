using System.Diagnostics;
using Google.Protobuf;
using RemoteModel.Testing;
using RemoteModel.Testing.V1;
using RemoteModel.Transport.Client;

namespace RemoteModel.Bench;

/// <summary>The transport's workloads, done by this project's client against a server in another process.</summary>
internal static class TransportWorkloads
{
    public const string System = "RemoteModel (C#)";
    private static readonly EchoRequest SmallRequest = new() { Payload = ByteString.CopyFrom(new byte[16]) };

    /// <summary>Long enough for tiered compilation to settle on both sides.</summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    public static async Task<Measurement> UnaryLatencyAsync(GrpcChannel channel, TimeSpan duration)
    {
        await WarmUpAsync(channel);
        var latencies = new List<long>(1 << 20);
        var total = Stopwatch.StartNew();
        while (total.Elapsed < duration)
        {
            var start = Stopwatch.GetTimestamp();
            await channel.UnaryAsync(EchoMethods.Unary, SmallRequest);
            latencies.Add(Stopwatch.GetTimestamp() - start);
        }

        return Measurement.FromLatencies("unary latency (sequential)", System, latencies, total.Elapsed);
    }

    public static async Task<Measurement> UnaryThroughputAsync(GrpcChannel channel, TimeSpan duration, int callers)
    {
        await WarmUpAsync(channel);
        var total = Stopwatch.StartNew();
        var perCaller = await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            var latencies = new List<long>(1 << 16);
            while (total.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                await channel.UnaryAsync(EchoMethods.Unary, SmallRequest);
                latencies.Add(Stopwatch.GetTimestamp() - start);
            }

            return latencies;
        })));
        var elapsed = total.Elapsed;
        return Measurement.FromLatencies($"unary throughput ({callers} callers)", System, [.. perCaller.SelectMany(l => l)], elapsed);
    }

    public static async Task<Measurement> StreamAsync(GrpcChannel channel, TimeSpan duration)
    {
        using var call = channel.ServerStreaming(EchoMethods.Stream, new StreamRequest { Count = int.MaxValue, PayloadSize = 16 });
        long count = 0;
        var total = Stopwatch.StartNew();
        await foreach (var _ in call.ReadAllAsync())
        {
            // Checking the clock every message would cost more than the message.
            if ((++count & 0xFFF) == 0 && total.Elapsed >= duration)
            {
                break;
            }
        }

        var elapsed = total.Elapsed;
        return new Measurement("server stream (16-byte messages)", System, null, null, count / elapsed.TotalSeconds, count);
    }

    private static async Task WarmUpAsync(GrpcChannel channel)
    {
        var until = Stopwatch.StartNew();
        while (until.Elapsed < WarmUp)
        {
            await channel.UnaryAsync(EchoMethods.Unary, SmallRequest);
        }
    }
}
