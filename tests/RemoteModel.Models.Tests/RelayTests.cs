using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Grpc.Client;
using RemoteModel.Grpc.Server;
using RemoteModel.Models.Client;
using RemoteModel.Models.Relay;
using RemoteModel.Models.Server;
using RemoteModel.Models.V1;
using RemoteModel.Models.Values;
using RemoteModel.Testing;
using Kind = RemoteModel.Models.V1.Notification.Types.Kind;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Models.Tests;

/// <summary>
/// A relay (<see cref="ModelRelay"/>) in a real model server on loopback, mirroring a furnace hosted
/// by another real server: the mirror carries values with their quality, the epoch, versions, limits
/// and the lock; a relay viewer's deadbands work as at the source; locks pass through the relay and
/// are kept by the source; a dropped connection to the
/// source is resumed without resynchronising the relay's viewers, a restarted source resynchronises
/// them saying why, and a relay's viewer may resume at the relay.
/// </summary>
public sealed class RelayTests : IAsyncLifetime
{
    private readonly ModelRegistry _sourceModels = new();
    private LoopbackServer _source = null!;
    private ModelTestServer _relay = null!;
    private ModelClient _atRelay = null!;
    private CallOptions _alice;

    public async Task InitializeAsync()
    {
        _sourceModels.Add("oven", new Furnace());
        _source = await StartSourceAsync(null);
        _relay = await ModelTestServer.StartAsync(TimeProvider.System, host: r => r.AddRelay("oven-east", RelaySource.Parse($"{_source.Address}/oven")));
        _atRelay = _relay.Client(out _alice);
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await _atRelay.DescribeAsync("oven-east");
                return true;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                return false;
            }
        }, "the relay to reach its source");
    }

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        await _source.DisposeAsync();
        await _sourceModels.DisposeAsync();
    }

    private ModelHost Oven => _sourceModels.Find("oven")!;

    [Fact]
    public async Task Values_with_their_quality_the_epoch_versions_and_limits_cross_the_relay_as_the_source_has_them()
    {
        await using var viewer = new Subscription(_atRelay, new SubscribeRequest { Model = "oven-east", ViewerName = "wall" });
        var snapshot = await viewer.NextAsync();
        Assert.Equal((Kind.Snapshot, Oven.Epoch, Oven.Version, "wall"), (snapshot.Kind, snapshot.Epoch, snapshot.Version, snapshot.ViewerName));
        Assert.Equal(Quality.Valid, snapshot.StateOf("Temperature").Quality);

        var modified = await _atRelay.ModifyAsync("oven-east", new Dictionary<string, object?> { ["Temperature"] = 125.0 }, options: _alice);
        Assert.Equal(Quality.Alarm, modified.States["Temperature"].Quality);
        var change = await viewer.NextAsync();
        Assert.Equal((Kind.Change, modified.Version, "alice via oven-east", Oven.Epoch), (change.Kind, change.Version, change.ChangedBy, change.Epoch));
        Assert.Equal((Quality.Alarm, "above high alarm limit 120"), (change.States["Temperature"].Quality, change.States["Temperature"].Reason));

        // Back to VALID: the change carries no state, and the relay's mirror must not keep the ALARM.
        var cleared = await _atRelay.ModifyAsync("oven-east", new Dictionary<string, object?> { ["Temperature"] = 50.0 }, options: _alice);
        var back = await viewer.NextAsync();
        Assert.Equal((cleared.Version, false), (back.Version, back.States.ContainsKey("Temperature")));
        Assert.Equal(new ValueState { Quality = Quality.Valid, SourceTime = back.Time }, back.StateOf("Temperature"));
        await using (var late = new Subscription(_atRelay, new SubscribeRequest { Model = "oven-east" }))
        {
            var mirrored = await late.NextAsync();
            Assert.Equal(new ValueState { Quality = Quality.Valid, SourceTime = back.Time }, mirrored.StateOf("Temperature"));
            Assert.False(mirrored.States.ContainsKey("Temperature"));
        }

        var atSource = Oven.Query();
        var query = await _atRelay.QueryAsync("oven-east");
        Assert.Equal((atSource.Version, atSource.Epoch, atSource.Time), (query.Version, query.Epoch, query.Time));
        Assert.Equal(atSource.Values, query.Values);
        Assert.Equal(atSource.States, query.States);

        var described = await _atRelay.DescribeAsync("oven-east");
        var sourceDescription = Oven.Describe();
        Assert.Equal(("oven-east", sourceDescription.Epoch, sourceDescription.Version), (described.Model, described.Epoch, described.Version));
        Assert.Equal(sourceDescription.Properties, described.Properties);
        Assert.Equal(120.0, described.Properties.Single(p => p.Name == "Temperature").HighAlarm.DoubleValue);
        Assert.Equal("alice via oven-east", Oven.History(1).Single().Caller);
    }

    [Fact]
    public async Task A_relay_viewer_deadbands_hold_back_small_moves_and_are_checked_against_the_source_schema()
    {
        await using var banded = new Subscription(_atRelay, new SubscribeRequest
        {
            Model = "oven-east", Properties = { "Position" }, Deadbands = { new Deadband { Property = "Position", Absolute = 5 } },
        });
        await banded.NextAsync();
        await _atRelay.ModifyAsync("oven-east", new Dictionary<string, object?> { ["Position"] = 2.0 }, options: _alice);
        var big = await _atRelay.ModifyAsync("oven-east", new Dictionary<string, object?> { ["Position"] = 6.0 }, options: _alice);
        var next = await banded.NextAsync();
        Assert.Equal((big.Version, 6.0), (next.Version, next.Values["Position"].DoubleValue));

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await using var bad = new Subscription(_atRelay, new SubscribeRequest { Model = "oven-east", Deadbands = { new Deadband { Property = "Door", Absolute = 1 } } });
            await bad.NextAsync();
        });
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("'Door' is not a number", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lock_held_elsewhere_refuses_changes_through_the_relay_and_a_lock_taken_through_it_is_kept_by_the_source()
    {
        using var channel = SignedChannel.ForAddress(_source.Address);
        var atSource = new ModelClient(channel);
        var bob = new CallOptions(headers: new Metadata { { CallerHeaderAuthorizer.CallerHeader, "bob" } });
        await using var viewer = new Subscription(_atRelay, new SubscribeRequest { Model = "oven-east" });
        await viewer.NextAsync();

        await atSource.LockAsync("oven", TimeSpan.FromMinutes(1), bob);
        var refused = await Assert.ThrowsAsync<RpcException>(
            () => _atRelay.ModifyAsync("oven-east", new Dictionary<string, object?> { ["Position"] = 1.0 }, options: _alice));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.StartsWith("model 'oven' is locked by bob since ", refused.Status.Detail, StringComparison.Ordinal);
        var taken = await viewer.NextAsync();
        Assert.Equal((Kind.Lock, "bob", "lock"), (taken.Kind, taken.Lock?.Holder, taken.Cause));
        Assert.Equal("bob", (await _atRelay.DescribeAsync("oven-east")).Lock.Holder);
        Assert.Equal("bob", (await _atRelay.ListModelsAsync()).Single(m => m.Model == "oven-east").Lock.Holder);
        var notHers = await Assert.ThrowsAsync<RpcException>(() => _atRelay.UnlockAsync("oven-east", options: _alice));
        Assert.Equal(StatusCode.FailedPrecondition, notHers.StatusCode);
        await atSource.UnlockAsync("oven", options: bob);
        Assert.Null((await viewer.NextAsync()).Lock);

        const string relayed = "alice via oven-east";
        var held = await _atRelay.HoldLockAsync("oven-east", _alice);
        Assert.Equal(relayed, held.Lock.Holder);
        Assert.Equal(relayed, Oven.Describe().Lock.Holder);
        var bobRefused = await Assert.ThrowsAsync<RpcException>(
            () => atSource.ModifyAsync("oven", new Dictionary<string, object?> { ["Position"] = 2.0 }, options: bob));
        Assert.Equal(StatusCode.FailedPrecondition, bobRefused.StatusCode);
        Assert.Contains($"locked by {relayed}", bobRefused.Status.Detail, StringComparison.Ordinal);
        var hers = await _atRelay.ModifyAsync("oven-east", new Dictionary<string, object?> { ["Position"] = 3.0 }, options: _alice);
        Assert.Equal(relayed, Oven.History(1).Single().Caller);

        // The holder's stream at the relay ends: the relay's stream to the source ends with it, and the source releases the lock.
        await held.DisposeAsync();
        await Eventually.TrueAsync(() => Task.FromResult(Oven.Describe().Lock is null), "the source to release the lock held through the relay");
        await atSource.ModifyAsync("oven", new Dictionary<string, object?> { ["Position"] = 4.0 }, options: bob);

        var lease = await _atRelay.LockAsync("oven-east", TimeSpan.FromSeconds(30), _alice);
        Assert.Equal(relayed, lease.Holder);
        Assert.Equal(relayed, (await _atRelay.UnlockAsync("oven-east", options: _alice))?.Holder);
        Assert.Null(Oven.Describe().Lock);
        Assert.True(hers.Version > 0);
    }

    [Fact]
    public async Task A_dropped_connection_to_the_source_is_resumed_and_the_missed_changes_reach_relay_viewers_as_ordinary_changes()
    {
        await using var viewer = new Subscription(_atRelay, new SubscribeRequest { Model = "oven-east" });
        var snapshot = await viewer.NextAsync();
        var address = _source.Address;

        await _source.DisposeAsync();
        for (var i = 1; i <= 3; i++)
        {
            Oven.Modify(new ModifyRequest { Values = { ["Position"] = ValueCodec.ToValue(10.0 * i) } }, "bob");
        }

        _source = await StartSourceAsync([address]);
        var seen = await viewer.ReadUntilVersionAsync(snapshot.Version + 3);
        Assert.Equal([(Kind.Change, snapshot.Version + 1), (Kind.Change, snapshot.Version + 2), (Kind.Change, snapshot.Version + 3)], seen.Select(n => (n.Kind, n.Version)));
        Assert.All(seen, n => Assert.Equal((snapshot.Epoch, "bob"), (n.Epoch, n.ChangedBy)));
        Assert.Equal(30.0, seen[^1].Values["Position"].DoubleValue);
        Assert.Equal(0, Assert.Single(await _atRelay.ListViewersAsync("oven-east")).Resyncs);
    }

    [Fact]
    public async Task A_restarted_source_resynchronises_relay_viewers_saying_its_epoch_changed()
    {
        await using var viewer = new Subscription(_atRelay, new SubscribeRequest { Model = "oven-east", ViewerName = "wall" });
        var before = await viewer.NextAsync();
        await _atRelay.ModifyAsync("oven-east", new Dictionary<string, object?> { ["Position"] = 7.0 }, options: _alice);
        Assert.Equal(Kind.Change, (await viewer.NextAsync()).Kind);

        await _sourceModels.RemoveAsync("oven");
        var restarted = _sourceModels.Add("oven", new Furnace());

        var resync = await viewer.NextAsync();
        Assert.Equal((Kind.Resync, Notification.Types.ResyncReason.EpochChanged, restarted.Epoch, 0L, "wall"),
            (resync.Kind, resync.ResyncReason, resync.Epoch, resync.Version, resync.ViewerName));
        Assert.NotEqual(before.Epoch, resync.Epoch);
        Assert.Contains("Position", resync.Values.Keys);
        await _atRelay.ModifyAsync("oven-east", new Dictionary<string, object?> { ["Position"] = 8.0 }, options: _alice);
        var next = await viewer.NextAsync();
        Assert.Equal((Kind.Change, 1L, restarted.Epoch, 8.0), (next.Kind, next.Version, next.Epoch, next.Values["Position"].DoubleValue));
    }

    [Fact]
    public async Task A_relay_viewer_resumes_at_the_relay_with_exactly_the_changes_it_missed_or_is_resynchronised_saying_why()
    {
        var epoch = Oven.Epoch;
        long seen;
        await using (var viewer = new Subscription(_atRelay, new SubscribeRequest { Model = "oven-east", ViewerName = "panel" }))
        {
            await viewer.NextAsync();
            seen = (await _atRelay.ModifyAsync("oven-east", new Dictionary<string, object?> { ["Position"] = 1.0 }, options: _alice)).Version;
            await viewer.ReadUntilVersionAsync(seen);
        }

        var last = 0L;
        for (var i = 2; i <= 3; i++)
        {
            last = (await _atRelay.ModifyAsync("oven-east", new Dictionary<string, object?> { ["Position"] = (double)i }, options: _alice)).Version;
        }

        await Eventually.TrueAsync(async () => (await _atRelay.QueryAsync("oven-east")).Version == last, "the relay to mirror the changes");
        await using var resumed = new Subscription(_atRelay, new SubscribeRequest { Model = "oven-east", ViewerName = "panel", ResumeEpoch = epoch, ResumeAfterVersion = seen });
        var start = await resumed.NextAsync();
        Assert.Equal((Kind.Resumed, epoch, seen), (start.Kind, start.Epoch, start.Version));
        var replayed = await resumed.ReadUntilVersionAsync(last);
        Assert.Equal([seen + 1, last], replayed.Select(n => n.Version));
        Assert.Equal([2.0, 3.0], replayed.Select(n => n.Values["Position"].DoubleValue));

        await using var stranger = new Subscription(_atRelay, new SubscribeRequest { Model = "oven-east", ResumeEpoch = "0123456789abcdef", ResumeAfterVersion = 1 });
        var resync = await stranger.NextAsync();
        Assert.Equal((Kind.Resync, Notification.Types.ResyncReason.EpochChanged, epoch, last), (resync.Kind, resync.ResyncReason, resync.Epoch, resync.Version));
    }

    /// <summary>The source's server over <see cref="_sourceModels"/>, on <paramref name="listen"/> (null: a free port): stopping it and starting it again keeps the hosts, their epochs and change logs.</summary>
    private Task<LoopbackServer> StartSourceAsync(IReadOnlyList<string>? listen)
    {
        var service = new ModelService(_sourceModels);
        return LoopbackServer.StartAsync(
            services => services.AddSingleton(service).AddAuthenticatedGrpcService<ModelService>(),
            app => app.MapAuthenticatedGrpcService<ModelService>(),
            listen: listen);
    }
}
