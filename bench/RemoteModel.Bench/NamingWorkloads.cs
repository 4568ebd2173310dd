using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.V1;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.Bench;

/// <summary>
/// The name server's workloads, done by this project's client against a remotemodel-ns process
/// (<see cref="NameServerProcess"/>). bench/peers/pyro4_ns_bench.py does the same against Pyro4's name server.
/// </summary>
internal static class NamingWorkloads
{
    public const string System = "RemoteModel NS (embedded store)";

    /// <summary>How many names the lookups choose from, in turn.</summary>
    public const int LookupNames = 100;

    /// <summary>The fewest registrations the watch workload times, however short the window.</summary>
    public const int MinimumWatchEvents = 2_000;

    // The workloads' names, shared with the python peers' rows (PythonPeers).
    public const string LookupLatency = "lookup latency (sequential, 100 names)";
    public const string LookupThroughput = "lookup throughput (32 callers, 100 names)";
    public const string RegisterUnregister = "register + unregister (sequential pairs)";
    public const string WatchLatency = "new registration seen by a watcher";

    /// <summary>What the results should say about these workloads and their Pyro4 counterparts.</summary>
    public static readonly string[] Notes =
    [
        $"Name servers: {System} is remotemodel-ns as shipped (default configuration, which logs one line per registration and "
            + "unregistration to stderr, and has HMAC authentication on: a throwaway keyring of its own, every bench call signed "
            + "with its default key and every answer sealed); Pyro4 NS is Pyro4's own name server (in-memory storage, serpent). Lookups take each of "
            + "100 registered names in turn. A RemoteModel registration is a lease (TTL 30 s) ended by Unregister; a Pyro4 "
            + "registration has no lease and is ended by `ns.remove(name)`.",
        "New registration seen by a watcher: from just before the register call to the watcher receiving it, one name at a "
            + $"time (at least {MinimumWatchEvents.ToString("N0", CultureInfo.InvariantCulture)}); ops/s counts rounds of register, seen, unregister, seen gone. "
            + "Pyro4's name server has no watch: its row is a second client calling `ns.list(prefix=...)` back to back, timed to "
            + "the end of the first list that shows the new name: polling's best case, paid for with a client and a server kept busy.",
    ];

    private const string Endpoint = "http://127.0.0.1:5000";
    private static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(30);
    private static readonly string[] Names = [.. Enumerable.Range(0, LookupNames).Select(i => $"bench/lookup/n{i:D2}")];

    /// <summary>Registers the names the lookup workloads look up, statically (no lease to run out mid-run).</summary>
    public static async Task RegisterLookupNamesAsync(NamingClient naming)
    {
        foreach (var name in Names)
        {
            await naming.RegisterAsync(NewRegistration(name), ttl: TimeSpan.Zero);
        }
    }

    public static Task<Measurement> LookupLatencyAsync(NamingClient naming, TimeSpan duration) =>
        LatencyLoop.SequentialAsync(LookupLatency, System, LookUpInTurn(naming), duration);

    public static Task<Measurement> LookupThroughputAsync(NamingClient naming, TimeSpan duration) =>
        LatencyLoop.ConcurrentAsync(LookupThroughput, System, LookUpInTurn(naming), TransportWorkloads.Callers, duration);

    /// <summary>One op: register under a 30 s lease, then unregister that lease.</summary>
    public static Task<Measurement> RegisterUnregisterAsync(NamingClient naming, TimeSpan duration)
    {
        var registration = NewRegistration("bench/churn");
        return LatencyLoop.SequentialAsync(RegisterUnregister, System, async () =>
        {
            var stored = await naming.RegisterAsync(registration, LeaseTtl);
            await naming.UnregisterAsync(stored.LeaseId);
        }, duration);
    }

    /// <summary>
    /// One watcher on a prefix; a writer registers a name under it, waits for the watcher to see
    /// it, unregisters it and waits for the watcher to see that too, one name at a time. Latency:
    /// from just before the Register call to the watcher receiving the REGISTERED event.
    /// </summary>
    public static async Task<Measurement> WatchLatencyAsync(NamingClient naming, TimeSpan duration)
    {
        const string prefix = "bench/watch/";
        await using var watcher = await SequencedWatcher.StartAsync(naming.Watch(new Selector { Prefix = prefix }));
        var sequence = 0L;

        async Task<long> RoundAsync()
        {
            var seq = ++sequence;
            var registration = NewRegistration($"{prefix}n{seq}");
            registration.Metadata[SequencedWatcher.SequenceKey] = seq.ToString(CultureInfo.InvariantCulture);
            var registered = watcher.Expect(WatchEvent.Types.Type.Registered, seq);
            var start = Stopwatch.GetTimestamp();
            var stored = await naming.RegisterAsync(registration, LeaseTtl);
            var receivedAt = await registered;
            var unregistered = watcher.Expect(WatchEvent.Types.Type.Unregistered, seq);
            await naming.UnregisterAsync(stored.LeaseId);
            await unregistered;
            return receivedAt - start;
        }

        await LatencyLoop.WarmUpAsync(RoundAsync);
        var latencies = new List<long>(1 << 16);
        var total = Stopwatch.StartNew();
        while (total.Elapsed < duration || latencies.Count < MinimumWatchEvents)
        {
            latencies.Add(await RoundAsync());
        }

        return Measurement.FromLatencies(WatchLatency, System, latencies, total.Elapsed);
    }

    /// <summary>A call that looks up the next of the <see cref="LookupNames"/> names each time; safe for concurrent callers.</summary>
    private static Func<Task> LookUpInTurn(NamingClient naming)
    {
        var next = -1;
        return () => naming.LookupAsync(Names[(uint)Interlocked.Increment(ref next) % LookupNames]);
    }

    private static Registration NewRegistration(string name) => new() { Name = name, Kind = "model", Endpoints = { Endpoint } };

    /// <summary>
    /// Reads a watch on its own task and takes a Stopwatch timestamp as each event arrives; the
    /// writer says which event (type and sequence number in the metadata) it expects next and
    /// gets that event's arrival time. Anything else arriving is an error, not a measurement.
    /// </summary>
    private sealed class SequencedWatcher : IAsyncDisposable
    {
        public const string SequenceKey = "seq";
        private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(10);

        private readonly AsyncServerStreamingCall<WatchEvent> _call;
        private readonly TaskCompletionSource _snapshotEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _reading;
        private Expectation? _expected;

        private SequencedWatcher(AsyncServerStreamingCall<WatchEvent> call)
        {
            _call = call;
            _reading = Task.Run(ReadAsync);
        }

        /// <summary>Starts reading <paramref name="call"/> and returns once its snapshot has ended.</summary>
        public static async Task<SequencedWatcher> StartAsync(AsyncServerStreamingCall<WatchEvent> call)
        {
            var watcher = new SequencedWatcher(call);
            await watcher._snapshotEnded.Task.WaitAsync(EventTimeout);
            return watcher;
        }

        /// <summary>The arrival timestamp of the next event, which must be <paramref name="type"/> for sequence number <paramref name="seq"/>.</summary>
        public Task<long> Expect(WatchEvent.Types.Type type, long seq)
        {
            var expectation = new Expectation(type, seq.ToString(CultureInfo.InvariantCulture));
            Volatile.Write(ref _expected, expectation);
            return expectation.Arrived.Task.WaitAsync(EventTimeout);
        }

        public async ValueTask DisposeAsync()
        {
            _call.Dispose();
            try
            {
                await _reading;
            }
            catch (Exception)
            {
                // Cancelled just now; an error before that already failed the writer's Expect.
            }
        }

        private async Task ReadAsync()
        {
            try
            {
                await foreach (var e in _call.ResponseStream.ReadAllAsync())
                {
                    var arrivedAt = Stopwatch.GetTimestamp();
                    if (e.Type == WatchEvent.Types.Type.SnapshotEnd)
                    {
                        _snapshotEnded.TrySetResult();
                        continue;
                    }

                    if (e.Type == WatchEvent.Types.Type.Snapshot && !_snapshotEnded.Task.IsCompleted)
                    {
                        continue; // left over from an earlier run on this name server: not ours to time
                    }

                    var expected = Interlocked.Exchange(ref _expected, null);
                    var seq = e.Registration?.Metadata.GetValueOrDefault(SequenceKey);
                    if (expected is null || expected.Type != e.Type || expected.Seq != seq)
                    {
                        throw new InvalidOperationException(
                            $"The watch sent {e.Type} of '{e.Registration?.Name}' (seq {seq}) while {expected?.Type} seq {expected?.Seq} was expected.");
                    }

                    expected.Arrived.TrySetResult(arrivedAt);
                }

                throw new InvalidOperationException("The watch ended.");
            }
            catch (Exception ex)
            {
                _snapshotEnded.TrySetException(ex);
                Volatile.Read(ref _expected)?.Arrived.TrySetException(ex);
                throw;
            }
        }

        private sealed record Expectation(WatchEvent.Types.Type Type, string Seq)
        {
            public TaskCompletionSource<long> Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
