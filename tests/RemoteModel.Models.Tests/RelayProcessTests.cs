using Grpc.Core;
using RemoteModel.Grpc.Client;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.V1;
using RemoteModel.Testing;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Models.Tests;

/// <summary>
/// Relay model servers (<c>remotemodel-server --relay NAME=SOURCE</c>) as real processes around a
/// real name server and a real ticker: the relay's viewers see the source's own version sequence,
/// changes made through the relay are audited at the source naming the original caller, the
/// source's refusals come back as the source said them, a source restart is followed with a
/// RESYNC, and relays chain.
/// </summary>
public sealed class RelayProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly string KeyId = TestKeyring.Current.SigningKey()!.Id;

    private readonly List<ChildProcess> _relays = [];
    private ProcessTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await ProcessTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_relay_viewer_sees_the_source_version_sequence_and_is_listed_under_the_relay()
    {
        var (_, sourceAddress) = await _bed.StartTickersAsync("ticker");
        var relayAddress = await StartRelayAsync("ticker-east=ticker");

        var registered = await _bed.Naming.LookupAsync("ticker-east");
        Assert.Equal("ticker", registered.Metadata["relay-of"]);
        Assert.Equal([relayAddress], registered.Endpoints);

        var source = new ModelClient(_bed.Channel(sourceAddress));
        var relay = new ModelClient(_bed.Channel(relayAddress));
        var description = await relay.DescribeAsync("ticker-east");
        Assert.Equal("ticker-east", description.Model);
        var sourceDescription = await source.DescribeAsync("ticker");
        Assert.Equal(sourceDescription.TypeName, description.TypeName);
        Assert.Equal(sourceDescription.Epoch, description.Epoch);
        Assert.True(description.Properties.Single(p => p.Name == "Rate").Memorized);
        Assert.Equal(120.0, description.Properties.Single(p => p.Name == "Price").HighAlarm.DoubleValue);

        await using var direct = new Recorder(source, "ticker");
        await using var relayed = new Recorder(relay, "ticker-east");
        await direct.WaitForAsync(n => n.Kind == Notification.Types.Kind.Snapshot);
        await relayed.WaitForAsync(n => n.Kind == Notification.Types.Kind.Snapshot);
        var start = (await source.ModifyAsync("ticker", new Dictionary<string, object?> { ["Rate"] = 50.0 })).Version;
        var end = start + 40;
        await direct.WaitForAsync(n => n.Version >= end);
        await relayed.WaitForAsync(n => n.Version >= end);

        // From the first version both saw on, the same changes: versions, values, who, why and kind.
        var from = Math.Max(direct.Received[0].Version, relayed.Received[0].Version) + 1;
        var expected = direct.Changes(from, end);
        Assert.Equal(end - from + 1, expected.Count);
        Assert.Equal(expected, relayed.Changes(from, end));
        Assert.Contains(expected, n => n.ChangedBy == "model" && n.Values.ContainsKey("Price"));
        Assert.True((await relay.QueryAsync("ticker-east", ["Ticks"])).Version >= end);

        // A viewer process on the relay is listed under the relay, in the registry and by the relay; the source sees the relay only.
        var viewer = _bed.Track(Executables.Start(Executables.Viewer, ["ticker-east", "--name", "console-1", "--lines", "--ns", _bed.NameServer]));
        await viewer.WaitForLineAsync("connected to ticker-east", ProcessTestBed.StartTimeout);
        await Eventually.TrueAsync(
            async () => (await _bed.Naming.ListAsync(new Selector { Kind = "viewer" })).Registrations.Any(r => r.Name == "ticker-east/viewers/console-1"),
            "the relay's viewer to be registered under the relay");
        Assert.Contains(await relay.ListViewersAsync("ticker-east"), v => v.Name == "console-1");
        var atSource = await source.ListViewersAsync("ticker");
        Assert.Contains(atSource, v => v.Name.StartsWith("ticker-east-", StringComparison.Ordinal));
        Assert.DoesNotContain(atSource, v => v.Name == "console-1");
        await viewer.WaitForLineAsync("", Patience, l => l.Contains(" CHANGE ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Changes_through_the_relay_are_audited_at_the_source_and_its_refusals_come_back_as_it_said_them()
    {
        var (_, sourceAddress) = await _bed.StartTickersAsync("ticker");
        var relayAddress = await StartRelayAsync("ticker-east=ticker");
        var source = new ModelClient(_bed.Channel(sourceAddress));
        var relay = new ModelClient(_bed.Channel(relayAddress));
        var alice = new CallOptions(headers: new Metadata { { "remotemodel-caller", "alice" } });
        await using var relayed = new Recorder(relay, "ticker-east");
        await relayed.WaitForAsync(n => n.Kind == Notification.Types.Kind.Snapshot);

        var modified = await relay.ModifyAsync("ticker-east", new Dictionary<string, object?> { ["Symbol"] = "ACME" }, options: alice);

        var caller = $"alice [key {KeyId}] via ticker-east [key {KeyId}]";
        var record = (await source.HistoryAsync("ticker", 1)).Single();
        Assert.Equal(caller, record.Caller);
        Assert.Equal("modify", record.Action);
        Assert.Equal(modified.Version, record.Version);
        var change = await relayed.WaitForAsync(n => n.Version == modified.Version);
        Assert.Equal(caller, change.ChangedBy);
        Assert.Equal("ACME", change.Values["Symbol"].StringValue);
        Assert.Equal("ACME", (await relay.QueryAsync("ticker-east", ["Symbol"])).Values["Symbol"].StringValue);
        Assert.Equal(caller, (await relay.HistoryAsync("ticker-east", 1)).Single().Caller);

        var refusedAtSource = await Assert.ThrowsAsync<RpcException>(() => source.ModifyAsync("ticker", new Dictionary<string, object?> { ["Rate"] = 1000.0 }));
        var refusedAtRelay = await Assert.ThrowsAsync<RpcException>(
            () => relay.ModifyAsync("ticker-east", new Dictionary<string, object?> { ["Rate"] = 1000.0 }, options: alice));
        Assert.Equal(StatusCode.OutOfRange, refusedAtRelay.StatusCode);
        Assert.Equal(refusedAtSource.Status.Detail, refusedAtRelay.Status.Detail);
        var refusal = (await source.HistoryAsync("ticker", 1)).Single();
        Assert.Equal(caller, refusal.Caller);
        Assert.Equal((int)StatusCode.OutOfRange, refusal.StatusCode);

        var paused = await relay.InvokeAsync("ticker-east", "Pause", options: alice);
        Assert.Equal(caller, (await relayed.WaitForAsync(n => n.Version == paused.Version)).ChangedBy);
        Assert.True((await relay.QueryAsync("ticker-east", ["Paused"])).Values["Paused"].BoolValue);
        var missing = await Assert.ThrowsAsync<RpcException>(() => relay.InvokeAsync("ticker-east", "Explode"));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no operation 'Explode'", missing.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_relay_follows_its_source_across_a_restart_and_resynchronises_its_viewers()
    {
        var (ticker, _) = await _bed.StartTickersAsync("ticker");
        var relayAddress = await StartRelayAsync("ticker-east=ticker");
        var relay = new ModelClient(_bed.Channel(relayAddress));
        await using var relayed = new Recorder(relay, "ticker-east");
        var before = await relayed.WaitForAsync(n => n.Kind == Notification.Types.Kind.Change);

        ticker.Signal(Posix.SigKill);
        var (_, restartedAddress) = await _bed.StartTickersAsync("ticker");
        var restarted = new ModelClient(_bed.Channel(restartedAddress));
        await restarted.ModifyAsync("ticker", new Dictionary<string, object?> { ["Symbol"] = "BACK" });

        var resync = await relayed.WaitForAsync(n => n.Kind == Notification.Types.Kind.Resync);
        Assert.Equal(relayed.Received[0].ViewerName, resync.ViewerName);
        Assert.Equal(Notification.Types.ResyncReason.EpochChanged, resync.ResyncReason);
        Assert.Equal((await restarted.DescribeAsync("ticker")).Epoch, resync.Epoch);
        Assert.NotEqual(before.Epoch, resync.Epoch);
        var back = await relayed.WaitForAsync(n => n.Values.TryGetValue("Symbol", out var symbol) && symbol.StringValue == "BACK");
        Assert.True(back.Version > 0);
        // After the RESYNC, the new source's versions follow one by one.
        var after = relayed.Received.SkipWhile(n => n != resync).Skip(1).Where(n => n.Kind == Notification.Types.Kind.Change).ToList();
        Assert.True(Enumerable.Range(0, after.Count).Select(i => resync.Version + 1 + i).SequenceEqual(after.Select(n => n.Version)),
            string.Join(", ", relayed.Received.Select(n => $"{n.Kind} v{n.Version}")) + "\n" + _relays[0].StandardError);
        Assert.Equal("BACK", (await relay.QueryAsync("ticker-east", ["Symbol"])).Values["Symbol"].StringValue);
    }

    [Fact]
    public async Task A_relay_of_a_relay_passes_on_the_same_versions_and_names_every_hop()
    {
        var (_, sourceAddress) = await _bed.StartTickersAsync("ticker");
        await StartRelayAsync("ticker-east=ticker");
        var westAddress = await StartRelayAsync("ticker-west=ticker-east");
        Assert.Equal("ticker-east", (await _bed.Naming.LookupAsync("ticker-west")).Metadata["relay-of"]);
        var source = new ModelClient(_bed.Channel(sourceAddress));
        var west = new ModelClient(_bed.Channel(westAddress));

        await using var direct = new Recorder(source, "ticker");
        await using var chained = new Recorder(west, "ticker-west");
        await direct.WaitForAsync(n => n.Kind == Notification.Types.Kind.Snapshot);
        await chained.WaitForAsync(n => n.Kind == Notification.Types.Kind.Snapshot);
        var modified = await west.ModifyAsync("ticker-west", new Dictionary<string, object?> { ["Rate"] = 40.0 },
            options: new CallOptions(headers: new Metadata { { "remotemodel-caller", "bob" } }));
        var end = modified.Version + 20;
        await direct.WaitForAsync(n => n.Version >= end);
        await chained.WaitForAsync(n => n.Version >= end);

        var from = Math.Max(direct.Received[0].Version, chained.Received[0].Version) + 1;
        Assert.Equal(direct.Changes(from, end), chained.Changes(from, end));
        Assert.Equal($"bob [key {KeyId}] via ticker-west [key {KeyId}] via ticker-east [key {KeyId}]",
            chained.Changes(modified.Version, modified.Version).Single().ChangedBy);
    }

    /// <summary>Starts a model server relaying <paramref name="relays"/> (NAME=SOURCE); returns its address once each relay is registered and has reached its source.</summary>
    private async Task<string> StartRelayAsync(params string[] relays)
    {
        var process = _bed.Track(Executables.Start(Executables.ModelServer, [.. relays.SelectMany(r => new[] { "--relay", r }), "--ns", _bed.NameServer]));
        _relays.Add(process);
        var address = (await process.WaitForLineAsync("LISTENING", ProcessTestBed.StartTimeout)).Split(' ')[0];
        var client = new ModelClient(_bed.Channel(address));
        foreach (var name in relays.Select(r => r.Split('=')[0]))
        {
            await _bed.Naming.LookupAsync(name, wait: TimeSpan.FromSeconds(10));
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    await client.DescribeAsync(name);
                    return true;
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
                {
                    return false;
                }
            }, $"relay {name} to reach its source");
        }

        return address;
    }

    /// <summary>A subscription that keeps every notification it gets, in order.</summary>
    private sealed class Recorder : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Notification> _received = [];
        private readonly Task _reading;

        public Recorder(ModelClient client, string model)
        {
            _reading = Task.Run(async () =>
            {
                try
                {
                    await foreach (var notification in client.SubscribeAsync(new SubscribeRequest { Model = model }, cancellationToken: _stop.Token))
                    {
                        lock (_received)
                        {
                            _received.Add(notification);
                        }
                    }
                }
                catch (Exception ex) when (_stop.IsCancellationRequested && ex is OperationCanceledException or RpcException)
                {
                    // Stopped by DisposeAsync: the call ends cancelled, or aborted when the cancellation reaches the connection first.
                }
            });
        }

        public IReadOnlyList<Notification> Received
        {
            get
            {
                lock (_received)
                {
                    return [.. _received];
                }
            }
        }

        /// <summary>The changes with versions <paramref name="from"/> to <paramref name="to"/>, in the order received.</summary>
        public List<Notification> Changes(long from, long to) =>
            [.. Received.Where(n => n.Kind == Notification.Types.Kind.Change && n.Version >= from && n.Version <= to)];

        public async Task<Notification> WaitForAsync(Func<Notification, bool> condition)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (DateTime.UtcNow < deadline)
            {
                if (Received.FirstOrDefault(condition) is { } found)
                {
                    return found;
                }

                if (_reading.IsCompleted)
                {
                    await _reading;
                    throw new InvalidOperationException("the subscription ended");
                }

                await Task.Delay(20);
            }

            throw new TimeoutException($"no such notification within {Patience}; received {Received.Count}, the last at version {Received.LastOrDefault()?.Version}");
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _reading;
            _stop.Dispose();
        }
    }
}
