using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using RemoteModel.Grpc.Client;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Bench;

/// <summary>
/// The model server's workloads: this project's client and viewers against a <c>bench serve-model</c>
/// process hosting one <see cref="BenchModel"/> (<see cref="BenchServer"/>). bench/peers/pyro4_model_bench.py does the same with
/// Pyro4 the seed's way (a server object calling back viewer daemons).
/// </summary>
internal static class ModelWorkloads
{
    public const string System = "RemoteModel (C#)";
    public const string ModelName = "bench/model";

    /// <summary>The viewer counts a change is delivered to.</summary>
    public static readonly int[] ViewerCounts = [1, 100, 1_000];

    /// <summary>How many subscriptions share one channel (one HTTP/2 connection).</summary>
    public const int ViewersPerChannel = 250;

    /// <summary>How many idle viewers the memory workload opens.</summary>
    public const int IdleViewers = 10_000;

    /// <summary>How many changes the back-to-back driver has sent but not yet seen delivered to every viewer (well under the viewer queue's 1024).</summary>
    public const int InFlightChanges = 256;

    /// <summary>How many controllers the several-controllers delivery workload runs at once.</summary>
    public const int Controllers = 4;

    /// <summary>The fewest changes a delivery workload times, however short the window.</summary>
    public const int MinimumChanges = 50;

    // The workloads' names, shared with the Pyro4 peer's rows (PythonPeers).
    public const string QueryLatency = "query latency (sequential)";
    public const string QueryThroughput = "query throughput (32 callers)";
    public const string QueryPairedWithStock = "query latency (sequential, alternating with grpc-dotnet alone's echo)";
    public const string DeliveryPrefix = "modify -> ";

    public const string ResumeMissed = "resume: RESUMED + 1,000 missed changes";
    public const string ResumeSnapshot = "resubscribe: a full snapshot";

    /// <summary>How many changes a resuming viewer missed.</summary>
    public const int MissedChanges = 1_000;

    public static string PacedDelivery(int viewers) => $"{DeliveryPrefix}{Viewers(viewers)} (one change at a time)";

    public static string SaturatedDelivery(int viewers) => $"{DeliveryPrefix}{Viewers(viewers)} (back to back)";

    public static string ConcurrentDelivery(int viewers) => $"{DeliveryPrefix}{Viewers(viewers)} ({Controllers} controllers back to back)";

    /// <summary>How many viewers the fan-out workloads deliver to, on the model server or over its relays.</summary>
    public const int FanOutViewers = 4_000;

    /// <summary>How many relay servers the relayed fan-out spreads its viewers over.</summary>
    public const int FanOutRelays = 4;

    /// <summary>The change rate of the fan-out workloads the relay aim is read at.</summary>
    public const double FanOutRateHz = 100;

    /// <summary>A rate both rows of a pair sustain on a small machine, so that their latencies are delivery, not queueing.</summary>
    public const double SustainedFanOutRateHz = 10;

    /// <summary>How many viewers the hop pair delivers to: few enough that neither its model server nor its one relay is saturated.</summary>
    public const int HopViewers = 100;

    public static string FanOut(int viewers, int relays, double rateHz) => relays == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{DeliveryPrefix}{Viewers(viewers)} on the model server ({rateHz:0} changes/s)")
        : string.Create(CultureInfo.InvariantCulture, $"{DeliveryPrefix}{Viewers(viewers)} on {(relays == 1 ? "a relay" : $"{relays} relays")} of it{(relays == 1 ? string.Empty : $", {viewers / relays:N0} each")} ({rateHz:0} changes/s)");

    /// <summary>What the results should say about the fan-out workloads.</summary>
    public static readonly string FanOutNote =
        $"Fan-out across processes: {Viewers(FanOutViewers)} (EVERY_CHANGE, {ViewersPerChannel} per channel) in the client process, either all "
        + $"on one `bench serve-model` or spread evenly over {FanOutRelays} `bench serve-relay` processes (each a ModelRegistry.AddRelay of the "
        + "model server's model by direct address: one subscription to it, its own viewers fanned out by its own ViewerHub), every "
        + "server started afresh for its row. One driver on the model server sets the double to its send timestamp at a fixed rate "
        + $"(a PeriodicTimer; at most {InFlightChanges} changes undelivered). Latency: from just before the Modify to a viewer receiving "
        + "the change (through the relay for relayed rows), over every (viewer, change) pair; ops/s: notifications received a second. "
        + "What a relay hop adds is the relayed row's latency less the direct row's at the same rate. Every process shares the machine's cores, "
        + "relays included, so on a small machine the relayed rows also pay for four more processes' work. Three pairs: the issue's "
        + $"{Viewers(FanOutViewers)} at {FanOutRateHz:0} changes/s ({FanOutViewers * FanOutRateHz:N0} notifications/s, more than two cores "
        + $"deliver, so its latencies are queueing), the same at {SustainedFanOutRateHz:0} changes/s, and {Viewers(HopViewers)} direct "
        + $"against {Viewers(HopViewers)} on one relay at {FanOutRateHz:0} changes/s, which neither side saturates: the hop's own cost, "
        + "which the relay aim reads.";

    /// <summary>What the results should say about these workloads and their Pyro4 counterparts.</summary>
    public static readonly string[] Notes =
    [
        $"Model server: {System} is `bench serve-model`, a ModelRegistry (MaxViewers 20,000, other limits default) hosting one "
            + "INotifyPropertyChanged model (a double, a long, a string) through ModelService (AddRemoteModels, Auth:Enabled=false) "
            + "on Kestrel and grpc-dotnet, built as the executables build their servers (GrpcServerApplication). Queries ask "
            + "for every property; the alternating Query row calls it and `bench serve-echo-stock` (grpc-dotnet alone, a plain GrpcChannel) in turn in one window, so its two medians' difference is what a Query of this model costs over the stock stack's own round trip. Pyro4 is the seed's design (bench/peers/pyro4_model_bench.py, serpent): a daemon hosting a model object "
            + "with query() and modify(); each viewer is a Pyro4 daemon of its own (its own port and connection) with a callback object, "
            + "registered with the model, which calls every viewer back (oneway) in turn inside modify(). The viewer daemons use the "
            + "multiplex server type, combined into one event loop in the client process: a thread per daemon does not scale to 1,000.",
        $"Modify -> N viewers: each viewer subscribes (EVERY_CHANGE; {ViewersPerChannel} subscriptions per channel) or registers its "
            + "callback; the driver sets the double to its send timestamp and the long to a sequence number. Latency: from just before the "
            + "Modify call to a viewer receiving that change, over every (viewer, change) pair; ops/s: CHANGE notifications received by all "
            + "viewers a second. \"One change at a time\" waits until every viewer has the change before the next Modify; \"back to back\" "
            + $"calls Modify as soon as the previous call returns, holding at most {InFlightChanges} changes not yet delivered everywhere "
            + "(below the viewer queue's 1,024, so nobody is resynced; a RESYNC would fail the run), which measures the sustained fan-out "
            + $"rate; its latencies include the queueing. \"{Controllers} controllers back to back\" is that with {Controllers} drivers at once (their "
            + "Modify calls share the driver's channel; Pyro4's each have their own proxy), so that changes come faster than one caller's "
            + "round trip allows, as from a fast model or several controllers. Viewers and driver share one client process, as do Pyro4's. "
            + $"That process runs with {BenchProcess.ClientPoolVariable}={BenchProcess.ClientPoolArrays}: SocketsHttpHandler rents a 16 KiB "
            + "block from the shared array pool for each stream with data waiting, and one change arriving on 1,000 streams at once would "
            + "empty the default pool (32 arrays a partition) and allocate a block a frame, a cost viewers in processes of their own do not "
            + "pay. The model server runs with the runtime's defaults.",
        $"Resume: a viewer that saw version V of the bench model while it was at V (Query gives its epoch and version) and then missed "
            + $"{MissedChanges.ToString("N0", CultureInfo.InvariantCulture)} changes (Modify of the long, not timed) subscribes again naming the epoch and V: timed from the Subscribe call "
            + $"to the {MissedChanges.ToString("N0", CultureInfo.InvariantCulture)}th replayed CHANGE (after RESUMED) arriving, a new call on the open channel. Against it, in turn in the "
            + "same window, a subscription with no resume is timed to its SNAPSHOT (the bench model's three values: what a resync costs this "
            + "small model; a larger model's snapshot costs more). ops/s is subscriptions a second; the changes replayed a second are "
            + $"{MissedChanges.ToString("N0", CultureInfo.InvariantCulture)} / the resume latency.",
        $"Memory per idle viewer: the server process's resident set (VmRSS from /proc/PID/status) in a fresh `bench serve-model` after one "
            + $"warm-up subscription, then after {IdleViewers.ToString("N0", CultureInfo.InvariantCulture)} idle subscriptions "
            + $"({ViewersPerChannel} per channel) are open and ListViewers reports them all; per viewer = (after - before) / viewers. "
            + "It counts everything the server holds for them: HTTP/2 streams, Kestrel and grpc-dotnet state, viewer queues, garbage not yet collected. "
            + "Not measured for Pyro4 (10,000 viewer daemons, each with its own socket, in one client process).",
    ];

    public static Task<Measurement> QueryLatencyAsync(ModelClient client, TimeSpan duration) =>
        LatencyLoop.SequentialAsync(QueryLatency, System, () => client.QueryAsync(ModelName), duration);

    public static Task<Measurement> QueryThroughputAsync(ModelClient client, TimeSpan duration) =>
        LatencyLoop.ConcurrentAsync(QueryThroughput, System, () => client.QueryAsync(ModelName), TransportWorkloads.Callers, duration);

    /// <summary>
    /// What a Query costs over the stock stack's own round trip: a Query of the bench model and an echo call to
    /// <c>serve-echo-stock</c> on a plain <c>GrpcChannel</c>, one of each in turn in one window.
    /// </summary>
    public static async Task<(Measurement Query, Measurement StockEcho)> QueryFloorCostAsync(ModelClient client, Testing.V1.Echo.EchoClient stockEcho, TimeSpan duration)
    {
        var (query, echo) = await LatencyLoop.AlternatingAsync(System,
            (QueryPairedWithStock, () => client.QueryAsync(ModelName)),
            (QueryPairedWithStock, () => TransportWorkloads.UnaryAsync(stockEcho)),
            duration);
        return (query, echo with { System = TransportWorkloads.StockSystem });
    }

    /// <summary>Every change delivered to every viewer before the next Modify.</summary>
    public static Task<Measurement> PacedDeliveryAsync(string address, ModelClient driver, int viewers, TimeSpan duration, DeliveryCosts costs) =>
        DeliveryAsync(PacedDelivery(viewers), address, driver, viewers, inFlight: 1, controllers: 1, duration, costs);

    /// <summary>Modify back to back, at most <see cref="InFlightChanges"/> changes undelivered.</summary>
    public static Task<Measurement> SaturatedDeliveryAsync(string address, ModelClient driver, int viewers, TimeSpan duration, DeliveryCosts costs) =>
        DeliveryAsync(SaturatedDelivery(viewers), address, driver, viewers, InFlightChanges, controllers: 1, duration, costs);

    /// <summary>As <see cref="SaturatedDeliveryAsync"/>, with <see cref="Controllers"/> drivers at once.</summary>
    public static Task<Measurement> ConcurrentDeliveryAsync(string address, ModelClient driver, int viewers, TimeSpan duration, DeliveryCosts costs) =>
        DeliveryAsync(ConcurrentDelivery(viewers), address, driver, viewers, InFlightChanges, Controllers, duration, costs);

    /// <summary>
    /// A resume of <see cref="MissedChanges"/> missed changes, and in turn a fresh subscription's snapshot,
    /// each timed from the Subscribe call to its last message arriving; at least 5 of each.
    /// </summary>
    public static async Task<(Measurement Resume, Measurement Snapshot)> ResumeAsync(ModelClient client, TimeSpan duration)
    {
        var counter = 0L;
        var resumes = new List<long>();
        var snapshots = new List<long>();
        long resumeTicks = 0, snapshotTicks = 0;
        var total = Stopwatch.StartNew();
        for (var round = -1; total.Elapsed < duration || resumes.Count < 5; round++)
        {
            var seen = await client.QueryAsync(ModelName);
            for (var i = 0; i < MissedChanges; i++)
            {
                await client.ModifyAsync(ModelName, new Dictionary<string, object?> { ["Counter"] = ++counter });
            }

            var start = Stopwatch.GetTimestamp();
            using (var call = client.Subscribe(new SubscribeRequest { Model = ModelName, ResumeEpoch = seen.Epoch, ResumeAfterVersion = seen.Version }))
            {
                await foreach (var notification in call.ResponseStream.ReadAllAsync())
                {
                    if (notification.Kind is not (Notification.Types.Kind.Resumed or Notification.Types.Kind.Change))
                    {
                        throw new InvalidOperationException($"a resume got {notification.Kind} ({notification.ResyncReason}) instead of the missed changes");
                    }

                    if (notification.Version == seen.Version + MissedChanges)
                    {
                        break;
                    }
                }
            }

            var resumed = Stopwatch.GetTimestamp() - start;
            start = Stopwatch.GetTimestamp();
            using (var call = client.Subscribe(new SubscribeRequest { Model = ModelName }))
            {
                if (!await call.ResponseStream.MoveNext(CancellationToken.None) || call.ResponseStream.Current.Kind != Notification.Types.Kind.Snapshot)
                {
                    throw new InvalidOperationException("a subscription did not start with its snapshot");
                }
            }

            var snapshot = Stopwatch.GetTimestamp() - start;
            if (round >= 0)
            {
                // Round -1 warms up.
                resumes.Add(resumed);
                snapshots.Add(snapshot);
                resumeTicks += resumed;
                snapshotTicks += snapshot;
            }
        }

        return (Measurement.FromLatencies(ResumeMissed, System, resumes, Stopwatch.GetElapsedTime(0, resumeTicks)),
            Measurement.FromLatencies(ResumeSnapshot, System, snapshots, Stopwatch.GetElapsedTime(0, snapshotTicks)));
    }

    /// <summary>
    /// <paramref name="viewers"/> viewers, at <paramref name="rateHz"/> changes a second, on the model server itself
    /// (<paramref name="relays"/> 0) or spread evenly over that many relay servers of it, each server started afresh for this workload.
    /// </summary>
    public static async Task<Measurement> FanOutAsync(int viewers, int relays, double rateHz, TimeSpan duration)
    {
        var (source, sourceAddress) = await BenchProcess.StartAsync(BenchServer.ModelMode);
        var started = new List<RemoteModel.Testing.ChildProcess> { source };
        try
        {
            var viewerAddresses = new List<string>();
            for (var i = 0; i < relays; i++)
            {
                var (relay, relayAddress) = await BenchProcess.StartAsync(BenchServer.RelayMode,
                    new Dictionary<string, string> { [BenchServer.RelaySourceVariable] = $"{sourceAddress}/{ModelName}" });
                started.Add(relay);
                viewerAddresses.Add(relayAddress);
            }

            if (relays == 0)
            {
                viewerAddresses.Add(sourceAddress);
            }

            using var channel = SignedChannel.ForAddress(sourceAddress);
            var driver = new ModelClient(channel);
            foreach (var address in viewerAddresses)
            {
                // A relay serves once it has its source's first snapshot.
                using var probe = SignedChannel.ForAddress(address);
                var deadline = Stopwatch.StartNew();
                while (true)
                {
                    try
                    {
                        await new ModelClient(probe).DescribeAsync(ModelName);
                        break;
                    }
                    catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && deadline.Elapsed < TimeSpan.FromSeconds(180))
                    {
                        await Task.Delay(100);
                    }
                }
            }

            return await MeasureDeliveryAsync(FanOut(viewers, relays, rateHz), viewerAddresses, driver, viewers, InFlightChanges, controllers: 1, duration, costs: null,
                TimeSpan.FromSeconds(1 / rateHz));
        }
        finally
        {
            foreach (var process in started)
            {
                await process.DisposeAsync();
            }
        }
    }

    /// <summary>The server's resident bytes per idle viewer, in a server of its own.</summary>
    public static async Task<ViewerMemory> IdleViewerMemoryAsync()
    {
        var (server, address) = await BenchProcess.StartAsync(BenchServer.ModelMode);
        await using (server)
        {
            using var channel = SignedChannel.ForAddress(address);
            var client = new ModelClient(channel);
            await client.QueryAsync(ModelName);
            await using (var warmUp = await ViewerSet.OpenAsync(address, 1, tracker: null))
            {
                await client.ModifyAsync(ModelName, new Dictionary<string, object?> { ["Counter"] = 1L });
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
            var before = BenchProcess.ResidentBytes(server.Id);
            await using var idle = await ViewerSet.OpenAsync(address, IdleViewers, tracker: null);
            while ((await client.ListViewersAsync(ModelName)).Count < IdleViewers)
            {
                await Task.Delay(100);
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
            return new ViewerMemory(System, IdleViewers, before, BenchProcess.ResidentBytes(server.Id));
        }
    }

    /// <summary>
    /// Opens <paramref name="viewers"/> subscriptions, then modifies the model (warm-up, then the
    /// measured window), never more than <paramref name="inFlight"/> changes ahead of the slowest viewer.
    /// </summary>
    private static async Task<Measurement> DeliveryAsync(
        string workload, string address, ModelClient driver, int viewers, int inFlight, int controllers, TimeSpan duration, DeliveryCosts costs)
    {
        try
        {
            return await MeasureDeliveryAsync(workload, [address], driver, viewers, inFlight, controllers, duration, costs);
        }
        finally
        {
            // The server drops a cancelled viewer when it notices; the next workload's viewers reuse the names.
            var gone = Stopwatch.StartNew();
            while ((await driver.ListViewersAsync(ModelName)).Count > 0 && gone.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50);
            }
        }
    }

    private static async Task<Measurement> MeasureDeliveryAsync(
        string workload, IReadOnlyList<string> viewerAddresses, ModelClient driver, int viewers, int inFlight, int controllers, TimeSpan duration,
        DeliveryCosts? costs, TimeSpan pace = default)
    {
        var tracker = new DeliveryTracker(viewers, inFlight);
        await using var set = await ViewerSet.OpenAsync(viewerAddresses, viewers, tracker);
        long sequence = 0;

        async Task SendAsync()
        {
            var change = Interlocked.Increment(ref sequence);
            await tracker.BeforeSendAsync(change);
            var values = new Dictionary<string, object?> { ["Value"] = (double)Stopwatch.GetTimestamp(), ["Counter"] = change };
            await driver.ModifyAsync(ModelName, values);
        }

        // Each controller calls Modify as soon as its previous call returns (or, paced, at its next tick), while `more` says so.
        Task DriveAsync(Func<bool> more) => Task.WhenAll(Enumerable.Range(0, controllers).Select(_ => Task.Run(async () =>
        {
            using var ticks = pace > TimeSpan.Zero ? new PeriodicTimer(pace) : null;
            while (more() && (ticks is null || await ticks.WaitForNextTickAsync()))
            {
                await SendAsync();
            }
        })));

        var warmUp = Stopwatch.StartNew();
        await DriveAsync(() => warmUp.Elapsed < LatencyLoop.WarmUp);
        await tracker.DrainAsync();
        tracker.MeasureFrom = Interlocked.Read(ref sequence) + 1;
        var serverBefore = costs is null ? TimeSpan.Zero : BenchProcess.ProcessorTime(costs.ServerProcessId);
        var clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var total = Stopwatch.StartNew();
        await DriveAsync(() => total.Elapsed < duration || Interlocked.Read(ref sequence) - tracker.MeasureFrom < MinimumChanges);
        await tracker.DrainAsync();
        var elapsed = total.Elapsed;
        var measured = Measurement.FromLatencies(workload, System, set.MeasuredLatencies(), elapsed);
        if (costs is null)
        {
            return measured;
        }

        // Processor time per notification: what the work costs, whatever else the machine is doing.
        var cost = new DeliveryCost(workload,
            (BenchProcess.ProcessorTime(costs.ServerProcessId) - serverBefore).TotalMicroseconds / measured.Count,
            (Process.GetCurrentProcess().TotalProcessorTime - clientBefore).TotalMicroseconds / measured.Count);
        costs.Rows.Add(cost);
        Console.WriteLine(cost.ToMarkdownRow());

        return measured;
    }

    private static string Viewers(int viewers) => viewers == 1 ? "1 viewer" : $"{viewers.ToString("N0", CultureInfo.InvariantCulture)} viewers";

    /// <summary>
    /// Knows, per change in flight, how many viewers still have to receive it; lets the driver send
    /// once fewer than its window are undelivered.
    /// </summary>
    private sealed class DeliveryTracker(int viewers, int inFlight)
    {
        private const int Slots = 1 << 16;
        private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);
        private readonly int[] _remaining = new int[Slots];
        private readonly SemaphoreSlim _window = new(inFlight, inFlight);
        private long _measureFrom = long.MaxValue;

        /// <summary>The first sequence number whose deliveries are timed.</summary>
        public long MeasureFrom { get => Volatile.Read(ref _measureFrom); set => Volatile.Write(ref _measureFrom, value); }

        public async Task BeforeSendAsync(long sequence)
        {
            if (!await _window.WaitAsync(DeliveryTimeout))
            {
                throw new TimeoutException($"Change {sequence - inFlight} was not delivered to all {viewers} viewers within {DeliveryTimeout}.");
            }

            Volatile.Write(ref _remaining[sequence & (Slots - 1)], viewers);
        }

        /// <summary>A viewer received change <paramref name="sequence"/>.</summary>
        public void Received(long sequence)
        {
            if (Interlocked.Decrement(ref _remaining[sequence & (Slots - 1)]) == 0)
            {
                _window.Release();
            }
        }

        /// <summary>Waits until every change sent has been delivered everywhere.</summary>
        public async Task DrainAsync()
        {
            for (var i = 0; i < inFlight; i++)
            {
                if (!await _window.WaitAsync(DeliveryTimeout))
                {
                    throw new TimeoutException($"The last changes were not delivered to all {viewers} viewers within {DeliveryTimeout}.");
                }
            }

            _window.Release(inFlight);
        }
    }

    /// <summary>Subscriptions spread over channels, <see cref="ViewersPerChannel"/> each, every one read on its own task.</summary>
    private sealed class ViewerSet : IAsyncDisposable
    {
        private readonly List<SignedChannel> _channels;
        private readonly List<ViewerReader> _viewers;

        private ViewerSet(List<SignedChannel> channels, List<ViewerReader> viewers)
        {
            _channels = channels;
            _viewers = viewers;
        }

        /// <summary>Opens <paramref name="count"/> subscriptions and returns once each has its snapshot.</summary>
        public static Task<ViewerSet> OpenAsync(string address, int count, DeliveryTracker? tracker) => OpenAsync([address], count, tracker);

        /// <summary>Opens <paramref name="count"/> subscriptions, spread evenly over <paramref name="addresses"/> (each channel to one of them), and returns once each has its snapshot.</summary>
        public static async Task<ViewerSet> OpenAsync(IReadOnlyList<string> addresses, int count, DeliveryTracker? tracker)
        {
            var channelCount = (count + ViewersPerChannel - 1) / ViewersPerChannel;
            var channels = Enumerable.Range(0, channelCount).Select(c => SignedChannel.ForAddress(addresses[c * addresses.Count / channelCount])).ToList();
            var viewers = new List<ViewerReader>(count);
            var set = new ViewerSet(channels, viewers);
            try
            {
                for (var i = 0; i < count; i++)
                {
                    viewers.Add(new ViewerReader(new ModelClient(channels[i / ViewersPerChannel]), $"bench-viewer-{i}", tracker));
                }

                await Task.WhenAll(viewers.Select(v => v.Snapshot)).WaitAsync(TimeSpan.FromSeconds(120));
                return set;
            }
            catch
            {
                await set.DisposeAsync();
                throw;
            }
        }

        /// <summary>Every viewer's delivery latencies of the measured changes, in Stopwatch ticks.</summary>
        public List<long> MeasuredLatencies() => [.. _viewers.SelectMany(v => v.Latencies)];

        public async ValueTask DisposeAsync()
        {
            foreach (var viewer in _viewers)
            {
                await viewer.DisposeAsync();
            }

            foreach (var channel in _channels)
            {
                channel.Dispose();
            }
        }
    }

    /// <summary>One subscription: takes a Stopwatch timestamp as each CHANGE arrives and keeps its latency from the send timestamp it carries.</summary>
    private sealed class ViewerReader : IAsyncDisposable
    {
        private readonly AsyncServerStreamingCall<Notification> _call;
        private readonly TaskCompletionSource _snapshot = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly DeliveryTracker? _tracker;
        private readonly Task _reading;

        /// <summary>Subscribes; CHANGEs are reported to <paramref name="tracker"/> (none: an idle viewer that only reads).</summary>
        public ViewerReader(ModelClient client, string name, DeliveryTracker? tracker)
        {
            _tracker = tracker;
            _call = client.Subscribe(new SubscribeRequest { Model = ModelName, ViewerName = name });
            _reading = Task.Run(ReadAsync);
        }

        public Task Snapshot => _snapshot.Task;

        /// <summary>Filled by the reading task; read only after the driver has drained every change.</summary>
        public List<long> Latencies { get; } = [];

        public async ValueTask DisposeAsync()
        {
            _call.Dispose();
            try
            {
                await _reading;
            }
            catch (Exception)
            {
                // Cancelled just now; an error before that already stalled the driver, which reports it.
            }
        }

        private async Task ReadAsync()
        {
            try
            {
                await foreach (var notification in _call.ResponseStream.ReadAllAsync())
                {
                    var arrivedAt = Stopwatch.GetTimestamp();
                    switch (notification.Kind)
                    {
                        case Notification.Types.Kind.Snapshot:
                            _snapshot.TrySetResult();
                            break;
                        case Notification.Types.Kind.Change when _tracker is not null:
                            var sequence = notification.Values["Counter"].IntValue;
                            if (sequence >= _tracker.MeasureFrom)
                            {
                                Latencies.Add(arrivedAt - (long)notification.Values["Value"].DoubleValue);
                            }

                            _tracker.Received(sequence);
                            break;
                        case Notification.Types.Kind.Change:
                            break;
                        default:
                            throw new InvalidOperationException($"A viewer got {notification.Kind} at version {notification.Version}: it fell behind.");
                    }
                }
            }
            catch (Exception ex)
            {
                _snapshot.TrySetException(ex);
                throw;
            }
        }
    }
}

/// <summary>Where the delivery workloads record what they cost in processor time: the server's (<paramref name="serverProcessId"/>) and this process's.</summary>
internal sealed class DeliveryCosts(int serverProcessId)
{
    public int ServerProcessId { get; } = serverProcessId;

    public List<DeliveryCost> Rows { get; } = [];
}

/// <summary>
/// The processor time, in microseconds per notification delivered, of the model server and of the client process (the
/// driver and every viewer); on a machine whose cores both share, they bound the rate at cores / (server + client).
/// </summary>
internal sealed record DeliveryCost(string Workload, double ServerMicroseconds, double ClientMicroseconds)
{
    public string ToMarkdownRow() => string.Create(CultureInfo.InvariantCulture,
        $"| {Workload} | {ServerMicroseconds:F2} | {ClientMicroseconds:F2} | {Environment.ProcessorCount / (ServerMicroseconds + ClientMicroseconds) * 1e6:N0} | {1e6 / ServerMicroseconds:N0} |");
}

/// <summary>The model server's resident memory before and after opening idle viewers.</summary>
internal sealed record ViewerMemory(string System, int Viewers, long ResidentBefore, long ResidentAfter)
{
    /// <summary>What the server's resident set grew by, per viewer, in KiB.</summary>
    public double PerViewerKiB => (ResidentAfter - ResidentBefore) / 1024.0 / Viewers;

    public string ToMarkdownRow()
    {
        const double mebibyte = 1024 * 1024;
        return string.Create(CultureInfo.InvariantCulture,
            $"| {System} | {Viewers:N0} | {ResidentBefore / mebibyte:F1} | {ResidentAfter / mebibyte:F1} | {PerViewerKiB:F1} |");
    }
}
