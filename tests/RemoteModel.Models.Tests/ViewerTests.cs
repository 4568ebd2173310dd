using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;
using RemoteModel.Testing;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;
using Kind = RemoteModel.Models.V1.Notification.Types.Kind;

namespace RemoteModel.Models.Tests;

/// <summary>Subscriptions over gRPC on loopback: snapshot then changes in version order, modes, slow viewers, streams.</summary>
public sealed class ViewerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new();
    private readonly Stage _stage = new();
    private readonly Stage _twin = new();
    private readonly Oven _oven = new();
    private ModelTestServer _server = null!;
    private ModelClient _client = null!;
    private CallOptions _alice;

    public async Task InitializeAsync()
    {
        _server = await ModelTestServer.StartAsync(_clock, host: registry =>
        {
            registry.Add("lab/stage", _stage);
            registry.Add("lab/twin", _twin);
            registry.Add("lab/oven", _oven);
        });
        _client = _server.Client(out _alice);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<ModifyResponse> Modify(string model, params (string Name, object? Value)[] values) =>
        _client.ModifyAsync(model, values.ToDictionary(v => v.Name, v => v.Value), options: _alice);

    [Fact]
    public async Task A_viewer_gets_a_snapshot_then_one_change_per_modify_with_setter_events_folded_in()
    {
        await using var viewer = new Subscription(_client, new SubscribeRequest { Model = "lab/stage", ViewerName = "console" });
        var snapshot = await viewer.NextAsync();
        Assert.Equal((Kind.Snapshot, 0L, "console", 15), (snapshot.Kind, snapshot.Version, snapshot.ViewerName, snapshot.Values.Count));
        Assert.True(snapshot.Values["AtHome"].BoolValue);

        await Modify("lab/stage", ("Position", 10.0), ("Speed", 8));
        var change = await viewer.NextAsync();
        Assert.Equal((Kind.Change, 1L, "alice", "modify"), (change.Kind, change.Version, change.ChangedBy, change.Cause));
        // The Position setter also announced AtHome: folded into this one change, not a change of its own.
        Assert.Equal(["AtHome", "Position", "Speed"], change.Values.Keys.Order());
        Assert.False(change.Values["AtHome"].BoolValue);

        await _client.InvokeAsync("lab/stage", "MoveTo", new Dictionary<string, object?> { ["target"] = 20 }, options: _alice);
        var invoked = await viewer.NextAsync();
        Assert.Equal((2L, "invoke:MoveTo", 20.0, 1L), (invoked.Version, invoked.Cause, invoked.Values["Position"].DoubleValue, invoked.Values["Moves"].IntValue));

        // The model changing by itself, on another thread.
        await Task.Run(() => _stage.SetTemperature(42));
        var own = await viewer.NextAsync();
        Assert.Equal((3L, "model", "model", 42.0), (own.Version, own.ChangedBy, own.Cause, own.Values["Temperature"].DoubleValue));
        Assert.Single(own.Values);
    }

    [Fact]
    public async Task Properties_the_model_changes_together_arrive_as_one_change()
    {
        await using var viewer = new Subscription(_client, new SubscribeRequest { Model = "lab/stage" });
        var snapshot = await viewer.NextAsync();

        await Task.Run(() => _stage.Recalibrate(30, "recalibrated"));

        var change = await viewer.NextAsync();
        Assert.Equal((Kind.Change, snapshot.Version + 1, "model"), (change.Kind, change.Version, change.ChangedBy));
        Assert.Equal(["Label", "Temperature"], change.Values.Keys.Order());
        Assert.Equal((30.0, "recalibrated"), (change.Values["Temperature"].DoubleValue, change.Values["Label"].StringValue));
        Assert.Equal(snapshot.Version + 1, (await _client.QueryAsync("lab/stage")).Version);
    }

    [Fact]
    public async Task A_property_filter_sends_only_those_properties_and_skips_other_changes()
    {
        await using var viewer = new Subscription(_client, new SubscribeRequest { Model = "lab/stage", Properties = { "Speed" } });
        Assert.Equal(["Speed"], (await viewer.NextAsync()).Values.Keys);
        await Modify("lab/stage", ("Label", "x"));
        await Modify("lab/stage", ("Speed", 2), ("Label", "y"));
        var change = await viewer.NextAsync();
        Assert.Equal((2L, 2L), (change.Version, change.Values["Speed"].IntValue));
        Assert.Equal(["Speed"], change.Values.Keys);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await using var bad = new Subscription(_client, new SubscribeRequest { Model = "lab/stage", Properties = { "Nope" } });
            await bad.NextAsync();
        });
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Concurrent_controllers_and_several_viewers_see_one_identical_version_sequence()
    {
        const int Controllers = 4, Each = 25;
        var viewers = Enumerable.Range(0, 3).Select(i => new Subscription(_server.Client(out _), new SubscribeRequest { Model = "lab/stage", ViewerName = $"v{i}" })).ToList();
        foreach (var viewer in viewers)
        {
            Assert.Equal(Kind.Snapshot, (await viewer.NextAsync()).Kind);
        }

        await Task.WhenAll(Enumerable.Range(0, Controllers).Select(c => Task.Run(async () =>
        {
            var client = _server.Client(out var options, $"controller{c}");
            for (var i = 0; i < Each; i++)
            {
                await client.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Label"] = $"c{c}-{i}", ["Speed"] = 1 + ((c + i) % 10) }, options: options);
            }
        })));

        var final = await _client.QueryAsync("lab/stage");
        Assert.Equal(Controllers * Each, final.Version);
        var seen = new List<List<Notification>>();
        foreach (var viewer in viewers)
        {
            seen.Add(await viewer.ReadUntilVersionAsync(final.Version));
        }

        for (var v = 0; v < viewers.Count; v++)
        {
            Assert.Equal(Enumerable.Range(1, Controllers * Each).Select(n => (long)n), seen[v].Select(n => n.Version));
            Assert.Equal(seen[0].Select(n => (n.ChangedBy, n.Values["Label"].StringValue)), seen[v].Select(n => (n.ChangedBy, n.Values["Label"].StringValue)));
            Assert.Equal(final.Values["Label"], seen[v][^1].Values["Label"]);
            Assert.Equal(final.Values["Speed"], seen[v][^1].Values["Speed"]);
        }

        foreach (var viewer in viewers)
        {
            await viewer.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_stalled_viewer_delays_no_one_and_is_resynchronised()
    {
        await using var server = await ModelTestServer.StartAsync(_clock, new ModelHostOptions { ViewerQueueCapacity = 8 }, r => r.Add("lab/stage", new Stage()));
        var controller = server.Client(out var options);
        var stalled = new Subscription(server.Client(out _), new SubscribeRequest { Model = "lab/stage", ViewerName = "stalled" });
        await using var healthy = new Subscription(server.Client(out _), new SubscribeRequest { Model = "lab/stage", ViewerName = "healthy" });
        Assert.Equal(Kind.Snapshot, (await stalled.NextAsync()).Kind);
        Assert.Equal(Kind.Snapshot, (await healthy.NextAsync()).Kind);

        // 200 changes of 16 KiB each: far more than the stalled viewer's connection buffers and queue hold.
        // The controller runs at most Lead changes ahead of the healthy viewer, fewer than its queue holds, so
        // however slow the machine the healthy viewer cannot earn a resync of its own; were it held up by
        // the stalled one, it would see nothing more and the controller would wait here in vain.
        const int Changes = 200, Lead = 4;
        var healthySaw = new List<Notification>();
        async Task HealthyReadsUntil(long version)
        {
            while ((healthySaw.LastOrDefault()?.Version ?? 0) < version)
            {
                healthySaw.Add(await healthy.NextAsync());
            }
        }

        for (var i = 1; i <= Changes; i++)
        {
            await HealthyReadsUntil(i - Lead);
            await controller.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Payload"] = new string((char)('a' + (i % 26)), 16 * 1024), ["Speed"] = 1 + (i % 10) }, options: options);
        }

        await HealthyReadsUntil(Changes);
        Assert.Equal(Enumerable.Range(1, Changes).Select(n => (long)n), healthySaw.Select(n => n.Version));
        Assert.All(healthySaw, n => Assert.Equal(Kind.Change, n.Kind));

        await Eventually.TrueAsync(async () => (await controller.ListViewersAsync("lab/stage")).Single(v => v.Name == "stalled").Resyncs > 0, "the stalled viewer's resync");

        // Reading again, it gets what was in flight, then a RESYNC snapshot, and ends at the final state.
        var stalledSaw = await stalled.ReadUntilVersionAsync(Changes);
        var resync = stalledSaw.First(n => n.Kind == Kind.Resync);
        Assert.Equal("stalled", resync.ViewerName);
        Assert.Equal(15, resync.Values.Count);
        var versions = stalledSaw.Select(n => n.Version).ToList();
        Assert.Equal(versions.Order(), versions);
        var final = await controller.QueryAsync("lab/stage");
        var last = stalledSaw.Last();
        Assert.Equal(final.Values["Payload"], last.Values["Payload"]);
        Assert.True(stalledSaw.Count < Changes, $"the stalled viewer got {stalledSaw.Count} notifications, not a resync");
        await stalled.DisposeAsync();
    }

    [Fact]
    public async Task A_stalled_latest_viewer_skips_to_the_latest_values_without_resyncs()
    {
        await using var server = await ModelTestServer.StartAsync(_clock, new ModelHostOptions { ViewerQueueCapacity = 8 }, r => r.Add("lab/stage", new Stage()));
        var controller = server.Client(out var options);
        await using var latest = new Subscription(server.Client(out _), new SubscribeRequest { Model = "lab/stage", Mode = DeliveryMode.Latest });
        Assert.Equal(Kind.Snapshot, (await latest.NextAsync()).Kind);

        const int Changes = 200;
        for (var i = 1; i <= Changes; i++)
        {
            await controller.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Payload"] = new string((char)('a' + (i % 26)), 16 * 1024) }, options: options);
        }

        var saw = await latest.ReadUntilVersionAsync(Changes);
        Assert.All(saw, n => Assert.Equal(Kind.Change, n.Kind));
        Assert.True(saw.Count < Changes, $"the latest viewer got {saw.Count} notifications for {Changes} changes");
        Assert.Equal((await controller.QueryAsync("lab/stage")).Values["Payload"], saw[^1].Values["Payload"]);
        Assert.Equal(0, Assert.Single(await controller.ListViewersAsync("lab/stage")).Resyncs);
    }

    [Theory]
    [InlineData(DeliveryMode.Latest)]
    [InlineData(DeliveryMode.EveryChange)]
    public async Task A_rate_limited_viewer_gets_the_changes_in_between_merged(DeliveryMode mode)
    {
        await using var viewer = new Subscription(_client, new SubscribeRequest { Model = "lab/stage", Mode = mode, MaxRateHz = 1 });
        Assert.Equal(Kind.Snapshot, (await viewer.NextAsync()).Kind);
        await Modify("lab/stage", ("Speed", 2));
        Assert.Equal(1, (await viewer.NextAsync()).Version);

        for (var i = 0; i < 20; i++)
        {
            await Modify("lab/stage", i == 5 ? ("Label", "five") : ("Speed", 1 + (i % 10)));
        }

        var next = viewer.NextAsync();
        while (!next.IsCompleted)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(next, Task.Delay(20));
        }

        var merged = await next;
        Assert.Equal((Kind.Change, 21L), (merged.Kind, merged.Version));
        Assert.Equal("five", merged.Values["Label"].StringValue);
        Assert.Equal(10, merged.Values["Speed"].IntValue);
        Assert.Equal(mode, Assert.Single(await _client.ListViewersAsync("lab/stage")).Mode);
    }

    [Fact]
    public async Task Viewers_are_listed_while_connected_and_gone_when_they_disconnect()
    {
        var named = new Subscription(_client, new SubscribeRequest { Model = "lab/stage", ViewerName = "panel" });
        var anonymous = new Subscription(_server.Client(out _), new SubscribeRequest { Model = "lab/stage" });
        var generated = (await anonymous.NextAsync()).ViewerName;
        Assert.Matches("^viewer-[0-9a-f]{8}$", generated);
        await named.NextAsync();

        var viewers = await _client.ListViewersAsync("lab/stage");
        Assert.Equal(new[] { "panel", generated }.Order(), viewers.Select(v => v.Name));
        var panel = viewers.Single(v => v.Name == "panel");
        Assert.Equal((DeliveryMode.EveryChange, 1L, 0L), (panel.Mode, panel.NotificationsSent, panel.Resyncs));
        Assert.StartsWith("ipv4:127.0.0.1:", panel.Peer);
        Assert.Equal(_clock.GetUtcNow(), panel.ConnectedAt.ToDateTimeOffset());

        var duplicate = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await using var again = new Subscription(_client, new SubscribeRequest { Model = "lab/stage", ViewerName = "panel" });
            await again.NextAsync();
        });
        Assert.Equal(StatusCode.AlreadyExists, duplicate.StatusCode);

        await named.DisposeAsync();
        await Eventually.TrueAsync(async () => (await _client.ListViewersAsync("lab/stage")).All(v => v.Name != "panel"), "the panel to leave");
        Assert.Equal([generated], (await _client.ListViewersAsync("lab/stage")).Select(v => v.Name));
        await anonymous.DisposeAsync();
        await Eventually.TrueAsync(async () => (await _client.ListViewersAsync("lab/stage")).Count == 0, "every viewer to leave");
    }

    [Fact]
    public async Task Two_instances_of_one_class_under_two_names_are_driven_independently_at_once()
    {
        await using var stageViewer = new Subscription(_client, new SubscribeRequest { Model = "lab/stage" });
        await using var twinViewer = new Subscription(_server.Client(out _), new SubscribeRequest { Model = "lab/twin" });
        await stageViewer.NextAsync();
        await twinViewer.NextAsync();

        await Task.WhenAll(
            Task.Run(async () =>
            {
                for (var i = 1; i <= 30; i++)
                {
                    await Modify("lab/stage", ("Position", (double)i));
                }
            }),
            Task.Run(async () =>
            {
                for (var i = 1; i <= 20; i++)
                {
                    await Modify("lab/twin", ("Label", $"twin{i}"));
                }
            }));

        Assert.Equal((30.0, "stage"), (_stage.Position, _stage.Label));
        Assert.Equal((0.0, "twin20"), (_twin.Position, _twin.Label));
        var stageSaw = await stageViewer.ReadUntilVersionAsync(30);
        var twinSaw = await twinViewer.ReadUntilVersionAsync(20);
        Assert.Equal(Enumerable.Range(1, 30).Select(n => (long)n), stageSaw.Select(n => n.Version));
        Assert.Equal(Enumerable.Range(1, 20).Select(n => (long)n), twinSaw.Select(n => n.Version));
        Assert.All(stageSaw, n => Assert.False(n.Values.ContainsKey("Label")));
        Assert.All(twinSaw, n => Assert.Equal(["Label"], n.Values.Keys));
        Assert.Equal([30L, 20L], (await _client.ListModelsAsync()).Where(m => m.Model != "lab/oven").OrderBy(m => m.Model).Select(m => m.Version));
    }

    [Fact]
    public async Task A_periodic_stream_samples_at_its_rate_on_the_clock_once_enabled()
    {
        await using var viewer = new Subscription(_client, new SubscribeRequest { Model = "lab/oven", Streams = { "temps" }, Properties = { "Zones" } });
        Assert.Equal(Kind.Snapshot, (await viewer.NextAsync()).Kind);

        Assert.Equal(StatusCode.OutOfRange, (await Assert.ThrowsAsync<RpcException>(() => _client.SetStreamRateAsync("lab/oven", "temps", 51))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => _client.SetStreamRateAsync("lab/oven", "nope", 1))).StatusCode);
        var enabled = await _client.SetStreamRateAsync("lab/oven", "temps", 10);
        Assert.Equal((true, 10.0), (enabled.Enabled, enabled.RateHz));

        _oven.Heat(55);
        Assert.Equal(1, (await _client.QueryAsync("lab/oven")).Version);
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        var sample = await viewer.NextAsync();
        Assert.Equal((Kind.Sample, "temps", 55.0, 1L), (sample.Kind, sample.Cause, sample.Values["Temperature"].DoubleValue, sample.Version));
        Assert.Equal(["Setpoint", "Temperature"], sample.Values.Keys.Order());
        Assert.Equal(_clock.GetUtcNow(), sample.Time.ToDateTimeOffset());

        _oven.Heat(60);
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(60.0, (await viewer.NextAsync()).Values["Temperature"].DoubleValue);

        var disabled = await _client.SetStreamRateAsync("lab/oven", "temps", 0);
        Assert.False(disabled.Enabled);
        Assert.False((await _client.DescribeAsync("lab/oven")).Streams[0].Enabled);
        _clock.Advance(TimeSpan.FromSeconds(5));
        await _client.InvokeAsync("lab/oven", "init");
        // No samples came while disabled: the next notification is init's transition (no Zones value, but a state).
        var initialised = await viewer.NextAsync();
        Assert.Equal((Kind.Change, LifecycleState.Initialized, 0), (initialised.Kind, initialised.State, initialised.Values.Count));
        await _client.InvokeAsync("lab/oven", "configure", new Dictionary<string, object?> { ["Zones"] = 4 });
        var next = await viewer.NextAsync();
        Assert.Equal((Kind.Change, LifecycleState.Configured, 4L), (next.Kind, next.State, next.Values["Zones"].IntValue));
    }
}
