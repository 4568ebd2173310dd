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

    /// <summary>How many callers the throughput workload runs at once (the python peers' default too; named in <see cref="UnaryThroughput"/>).</summary>
    public const int Callers = 32;

    // The workloads' names, shared with the python peers' rows (PythonPeers).
    public const string UnaryLatency = "unary latency (sequential)";
    public const string UnaryThroughput = "unary throughput (32 callers)";
    public const string Stream = "server stream (16-byte messages)";
    public const string SignedUnaryLatency = "unary latency (sequential, HMAC-signed and sealed)";

    private static readonly EchoRequest SmallRequest = new() { Payload = ByteString.CopyFrom(new byte[16]) };

    /// <summary>The same calls as <see cref="UnaryLatencyAsync"/>, signed by the channel and checked and sealed by the server.</summary>
    public static Task<Measurement> SignedUnaryLatencyAsync(GrpcChannel signedChannel, TimeSpan duration) =>
        LatencyLoop.SequentialAsync(SignedUnaryLatency, System, () => signedChannel.UnaryAsync(EchoMethods.Unary, SmallRequest), duration);

    public static Task<Measurement> UnaryLatencyAsync(GrpcChannel channel, TimeSpan duration) =>
        LatencyLoop.SequentialAsync(UnaryLatency, System, () => channel.UnaryAsync(EchoMethods.Unary, SmallRequest), duration);

    public static Task<Measurement> UnaryThroughputAsync(GrpcChannel channel, TimeSpan duration) =>
        LatencyLoop.ConcurrentAsync(UnaryThroughput, System, () => channel.UnaryAsync(EchoMethods.Unary, SmallRequest), Callers, duration);

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
        return new Measurement(Stream, System, null, null, count / elapsed.TotalSeconds, count);
    }
}
