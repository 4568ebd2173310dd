using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;
using RemoteModel.Testing;
using Kind = RemoteModel.Models.V1.Notification.Types.Kind;

namespace RemoteModel.Models.Tests;

/// <summary>Quality, limits, source time and deadbands through a real model server to real subscribers.</summary>
public sealed class QualityEndToEndTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Limit_crossings_reach_every_viewer_in_order_with_the_right_quality_and_are_logged_and_kept_once_each()
    {
        var log = new LogCapture();
        var clock = new FakeTimeProvider(Start);
        await using var server = await ModelTestServer.StartAsync(clock, host: r => r.Add("oven", new Furnace()), loggerFactory: log);
        var client = server.Client(out var asAlice);
        await using var everything = new Subscription(client, new SubscribeRequest { Model = "oven", ViewerName = "wall" });
        await using var temperatureOnly = new Subscription(client, new SubscribeRequest { Model = "oven", ViewerName = "panel", Properties = { "Temperature" } });
        await using var another = new Subscription(server.Client(out _), new SubscribeRequest { Model = "oven", ViewerName = "desk" });
        foreach (var viewer in new[] { everything, temperatureOnly, another })
        {
            var snapshot = await viewer.NextAsync();
            Assert.Equal(Quality.Valid, snapshot.StateOf("Temperature").Quality);
        }

        (double Value, Quality Quality, string Reason)[] steps =
        [
            (105, Quality.Warning, "above high warning limit 100"),
            (125, Quality.Alarm, "above high alarm limit 120"),
            (120, Quality.Warning, "above high warning limit 100"),
            (100, Quality.Valid, string.Empty),
            (5, Quality.Alarm, "below low alarm limit 10"),
            (15, Quality.Warning, "below low warning limit 20"),
            (60, Quality.Valid, string.Empty),
        ];
        var versions = new List<long>();
        foreach (var (value, quality, _) in steps)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            var modified = await client.ModifyAsync("oven", new Dictionary<string, object?> { ["Temperature"] = value }, options: asAlice);
            Assert.Equal(quality, modified.States["Temperature"].Quality);
            versions.Add(modified.Version);
        }

        foreach (var viewer in new[] { everything, temperatureOnly, another })
        {
            var changes = await viewer.ReadUntilVersionAsync(versions[^1]);
            Assert.Equal(versions, changes.Select(c => c.Version));
            Assert.Equal(steps.Select(s => (s.Value, s.Quality, s.Reason)), changes.Select(c => (c.Values["Temperature"].DoubleValue, c.StateOf("Temperature").Quality, c.StateOf("Temperature").Reason)));
            Assert.All(changes, c => Assert.Equal(c.Time, c.StateOf("Temperature").SourceTime));
            // A VALID value changed now goes without a state entry; any other quality carries its own.
            Assert.Equal(steps.Select(s => s.Quality != Quality.Valid), changes.Select(c => c.States.ContainsKey("Temperature")));
        }

        var description = await client.DescribeAsync("oven");
        var temperature = description.Properties.Single(p => p.Name == "Temperature");
        Assert.Equal((10.0, 20.0, 100.0, 120.0), (temperature.LowAlarm.DoubleValue, temperature.LowWarning.DoubleValue, temperature.HighWarning.DoubleValue, temperature.HighAlarm.DoubleValue));
        Assert.Null(description.Properties.Single(p => p.Name == "Position").HighAlarm);

        // Each crossing is one alarm record in the history and one log line, with the property, value and limit.
        var alarms = (await client.HistoryAsync("oven")).Where(r => r.Action == "alarm").ToList();
        Assert.Equal(versions, alarms.Select(a => a.Version));
        Assert.Equal(steps.Select(s => s.Quality), alarms.Select(a => a.States["Temperature"].Quality));
        Assert.All(alarms, a => Assert.StartsWith("alice", a.Caller, StringComparison.Ordinal));
        var raised = log.Entries.Where(e => e.Message.StartsWith("alarm raised on oven", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, raised.Count);
        Assert.Equal(("Temperature", "125", "120", Quality.Alarm), (raised[1].Properties["Property"], raised[1].Properties["Value"], raised[1].Properties["Limit"], raised[1].Properties["Quality"]));
        Assert.Equal(2, log.Entries.Count(e => e.Message.StartsWith("alarm cleared on oven: Temperature", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_model_set_INVALID_is_a_change_to_every_viewer_with_the_models_own_source_time_and_holds_until_the_model_hands_it_back()
    {
        var clock = new FakeTimeProvider(Start);
        var oven = new Furnace();
        await using var server = await ModelTestServer.StartAsync(clock, host: r => r.Add("oven", oven));
        var client = server.Client(out var asAlice);
        await using var viewer = new Subscription(client, new SubscribeRequest { Model = "oven" });
        var snapshot = await viewer.NextAsync();
        Assert.Equal(Timestamp.FromDateTimeOffset(Start), snapshot.StateOf("Temperature").SourceTime);

        var readAt = Start.AddSeconds(-3);
        clock.Advance(TimeSpan.FromSeconds(10));
        oven.Read(65, readAt);
        var read = await viewer.NextAsync();
        Assert.Equal((65.0, Quality.Valid), (read.Values["Temperature"].DoubleValue, read.StateOf("Temperature").Quality));
        Assert.Equal(Timestamp.FromDateTimeOffset(readAt), read.StateOf("Temperature").SourceTime);
        Assert.Equal(Timestamp.FromDateTimeOffset(Start.AddSeconds(10)), read.Time);

        var lostAt = Start.AddSeconds(9);
        oven.LoseSensor(lostAt);
        var lost = await viewer.NextAsync();
        Assert.Equal((Kind.Change, read.Version + 1, 65.0), (lost.Kind, lost.Version, lost.Values["Temperature"].DoubleValue));
        Assert.Equal(new ValueState { Quality = Quality.Invalid, Reason = "sensor link lost", SourceTime = Timestamp.FromDateTimeOffset(lostAt) }, lost.StateOf("Temperature"));

        // Whatever its number, and whoever writes it, it stays INVALID until the model says otherwise.
        var written = await client.ModifyAsync("oven", new Dictionary<string, object?> { ["Temperature"] = 130.0 }, options: asAlice);
        Assert.Equal(Quality.Invalid, written.States["Temperature"].Quality);
        Assert.Equal(Quality.Invalid, (await client.QueryAsync("oven", ["Temperature"])).States["Temperature"].Quality);
        Assert.Equal(Quality.Invalid, (await viewer.NextAsync()).StateOf("Temperature").Quality);

        oven.RestoreSensor();
        var restored = await viewer.NextAsync();
        Assert.Equal((Quality.Alarm, "above high alarm limit 120"), (restored.StateOf("Temperature").Quality, restored.StateOf("Temperature").Reason));
        var alarms = (await client.HistoryAsync("oven")).Where(r => r.Action == "alarm").Select(r => (r.Caller, r.States["Temperature"].Quality)).ToList();
        Assert.Equal([("model", Quality.Invalid), ("model", Quality.Alarm)], alarms);
    }

    [Fact]
    public async Task Each_value_carries_the_time_it_last_changed_at_its_source_beside_the_notifications_own_time()
    {
        var clock = new FakeTimeProvider(Start);
        await using var server = await ModelTestServer.StartAsync(clock, host: r => r.Add("oven", new Furnace()));
        var client = server.Client(out var asAlice);

        clock.Advance(TimeSpan.FromMinutes(1));
        await client.ModifyAsync("oven", new Dictionary<string, object?> { ["Position"] = 12.5 }, options: asAlice);
        clock.Advance(TimeSpan.FromMinutes(1));
        await client.ModifyAsync("oven", new Dictionary<string, object?> { ["Door"] = "open" }, options: asAlice);
        clock.Advance(TimeSpan.FromMinutes(1));
        // The same value written again is a change, but not one at the source.
        await client.ModifyAsync("oven", new Dictionary<string, object?> { ["Position"] = 12.5 }, options: asAlice);

        var query = await client.QueryAsync("oven");
        Assert.Equal(Timestamp.FromDateTimeOffset(Start.AddMinutes(3)), query.Time);
        Assert.Equal(Timestamp.FromDateTimeOffset(Start), query.States["Temperature"].SourceTime);
        Assert.Equal(Timestamp.FromDateTimeOffset(Start.AddMinutes(1)), query.States["Position"].SourceTime);
        Assert.Equal(Timestamp.FromDateTimeOffset(Start.AddMinutes(2)), query.States["Door"].SourceTime);
        Assert.Equal(Quality.Valid, query.States["Door"].Quality);
        Assert.Equal(16, query.Epoch.Length);
        Assert.Equal(query.Epoch, (await client.DescribeAsync("oven")).Epoch);
    }

    [Fact]
    public async Task Deadbands_hold_back_small_moves_for_the_viewer_that_asked_and_deliver_the_threshold_NaN_a_sign_change_beyond_the_band_and_every_quality_change()
    {
        var clock = new FakeTimeProvider(Start);
        var oven = new Furnace();
        await using var server = await ModelTestServer.StartAsync(clock, host: r => r.Add("oven", oven));
        var client = server.Client(out var asAlice);
        await using var banded = new Subscription(client, new SubscribeRequest
        {
            Model = "oven",
            Deadbands = { new Deadband { Property = "Temperature", Absolute = 2 }, new Deadband { PercentOfRange = 1.25 } },
        });
        await using var plain = new Subscription(client, new SubscribeRequest { Model = "oven" });
        await banded.NextAsync();
        await plain.NextAsync();

        (string Property, double Value, bool Delivered)[] steps =
        [
            ("Temperature", 51, false),
            ("Temperature", 52, true), // exactly the band since the last delivered (50)
            ("Temperature", 53.5, false),
            ("Temperature", double.NaN, true), // into NaN (and INVALID)
            ("Temperature", double.NaN, false), // NaN again: no move
            ("Temperature", 99, true),
            ("Temperature", 100.5, true), // inside the band, but WARNING now
            ("Position", 2, false), // 1.25% of the 400 mm range is 5 mm
            ("Position", -2, false), // a sign change within the band
            ("Position", -5, true),
        ];
        var delivered = new List<long>();
        long last = 0;
        foreach (var (property, value, shouldDeliver) in steps)
        {
            if (double.IsNaN(value))
            {
                // Only the model's driver can say NaN: a controller's NaN is outside any range.
                oven.Read(value, Start);
                last = server.Registry.Find("oven")!.Version;
            }
            else
            {
                last = (await client.ModifyAsync("oven", new Dictionary<string, object?> { [property] = value }, options: asAlice)).Version;
            }

            if (shouldDeliver)
            {
                delivered.Add(last);
            }
        }

        last = (await client.ModifyAsync("oven", new Dictionary<string, object?> { ["Door"] = "open" }, options: asAlice)).Version;
        delivered.Add(last);

        var seen = await banded.ReadUntilVersionAsync(last);
        Assert.Equal(delivered, seen.Select(n => n.Version));
        Assert.Equal(Quality.Invalid, seen[1].StateOf("Temperature").Quality);
        Assert.Equal(Quality.Warning, seen[3].StateOf("Temperature").Quality);
        Assert.Equal(-5, seen[4].Values["Position"].DoubleValue);
        Assert.Equal(steps.Length + 1, (await plain.ReadUntilVersionAsync(last)).Count);

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await using var bad = new Subscription(client, new SubscribeRequest { Model = "oven", Deadbands = { new Deadband { Property = "Door", Absolute = 1 } } });
            await bad.NextAsync();
        });
        Assert.Equal((StatusCode.InvalidArgument, "the deadband of 'Door': 'Door' is not a number"), (refused.StatusCode, refused.Status.Detail));
    }
}
