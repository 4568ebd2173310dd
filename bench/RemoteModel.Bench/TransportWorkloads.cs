using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using RemoteModel.Testing.V1;

namespace RemoteModel.Bench;

/// <summary>
/// The gRPC stack's own workloads (the "transport" group): echo calls by a generated client on a
/// <see cref="RemoteModel.Grpc.Client.SignedChannel"/> to a <c>bench serve-echo</c> process (<see cref="BenchServer"/>).
/// </summary>
internal static class TransportWorkloads
{
    public const string System = "RemoteModel (C#)";

    /// <summary>The floor under the project's rows: grpc-dotnet as its templates set it up, with nothing of the project's (<c>bench serve-echo-stock</c>).</summary>
    public const string StockSystem = "grpc-dotnet alone (AddGrpc, GrpcChannel)";

    /// <summary>How many callers the throughput workload runs at once (the python peers' default too; named in <see cref="UnaryThroughput"/>).</summary>
    public const int Callers = 32;

    // The workloads' names, shared with the python peers' rows (PythonPeers).
    public const string UnaryLatency = "unary latency (sequential)";
    public const string UnaryThroughput = "unary throughput (32 callers)";
    public const string Stream = "server stream (16-byte messages)";
    public const string SignedUnaryLatency = "unary latency (sequential, HMAC-signed and sealed)";

    // RemoteModel against its floor in one window (FloorCostAsync): the windows of the rows above are minutes apart.
    public const string PairedWithStock = "unary latency (sequential, alternating RemoteModel and grpc-dotnet alone)";

    // The cost of signing, measured in one window (SigningCostAsync); its two rows differ by signing alone.
    public const string PairedUnaryLatency = "unary latency (sequential, alternating with signed)";
    public const string PairedSignedUnaryLatency = "unary latency (sequential, HMAC-signed and sealed, alternating with unsigned)";

    private static readonly EchoRequest SmallRequest = new() { Payload = ByteString.CopyFrom(new byte[16]) };

    /// <summary>The same calls as <see cref="UnaryLatencyAsync"/>, signed by the channel and checked and sealed by the server.</summary>
    public static Task<Measurement> SignedUnaryLatencyAsync(Echo.EchoClient signedClient, TimeSpan duration) =>
        LatencyLoop.SequentialAsync(SignedUnaryLatency, System, () => UnaryAsync(signedClient), duration);

    /// <summary>
    /// What signing and sealing add to a call: the unsigned calls of <see cref="UnaryLatencyAsync"/> and the
    /// signed ones of <see cref="SignedUnaryLatencyAsync"/>, one of each in turn in one window
    /// (<see cref="LatencyLoop.AlternatingAsync"/>), to a <c>serve-echo</c> and a <c>serve-echo-signed</c> process.
    /// </summary>
    public static async Task<(Measurement Unsigned, Measurement Signed)> SigningCostAsync(
        Echo.EchoClient unsignedClient, Echo.EchoClient signedClient, TimeSpan duration) =>
        await LatencyLoop.AlternatingAsync(System,
            (PairedUnaryLatency, () => UnaryAsync(unsignedClient)),
            (PairedSignedUnaryLatency, () => UnaryAsync(signedClient)),
            duration);

    /// <summary>
    /// What RemoteModel's channel and server add to a call over grpc-dotnet alone: the same echo call to
    /// <c>serve-echo</c> on a <see cref="RemoteModel.Grpc.Client.SignedChannel"/> and to <c>serve-echo-stock</c> on a
    /// plain <c>GrpcChannel</c>, one of each in turn in one window.
    /// </summary>
    public static async Task<(Measurement Ours, Measurement Stock)> FloorCostAsync(
        Echo.EchoClient ourClient, Echo.EchoClient stockClient, TimeSpan duration)
    {
        var (ours, stock) = await LatencyLoop.AlternatingAsync(System,
            (PairedWithStock, () => UnaryAsync(ourClient)),
            (PairedWithStock, () => UnaryAsync(stockClient)),
            duration);
        return (ours, stock with { System = StockSystem });
    }

    public static Task<Measurement> UnaryLatencyAsync(Echo.EchoClient client, TimeSpan duration, string system = System) =>
        LatencyLoop.SequentialAsync(UnaryLatency, system, () => UnaryAsync(client), duration);

    public static Task<Measurement> UnaryThroughputAsync(Echo.EchoClient client, TimeSpan duration, string system = System) =>
        LatencyLoop.ConcurrentAsync(UnaryThroughput, system, () => UnaryAsync(client), Callers, duration);

    public static async Task<Measurement> StreamAsync(Echo.EchoClient client, TimeSpan duration, string system = System)
    {
        // Disposed at the end: the call is cancelled, and the server stops writing.
        using var call = client.Stream(new StreamRequest { Count = int.MaxValue, PayloadSize = 16 });
        long count = 0;
        var total = Stopwatch.StartNew();
        await foreach (var _ in call.ResponseStream.ReadAllAsync())
        {
            // Checking the clock every message would cost more than the message.
            if ((++count & 0xFFF) == 0 && total.Elapsed >= duration)
            {
                break;
            }
        }

        var elapsed = total.Elapsed;
        return new Measurement(Stream, system, null, null, count / elapsed.TotalSeconds, count);
    }

    /// <summary>One echo call of a 16-byte payload, as every echo row makes it.</summary>
    public static async Task UnaryAsync(Echo.EchoClient client) => await client.UnaryAsync(SmallRequest);
}
