using Microsoft.Extensions.Time.Testing;
using RemoteModel.Models.V1;
using RemoteModel.Models.Values;
using RemoteModel.Testing;
using Kind = RemoteModel.Models.V1.Notification.Types.Kind;

namespace RemoteModel.Models.Tests;

/// <summary><see cref="ModelHost.Subscribe"/>: a viewer in the host's own process, delivered to as a stream is.</summary>
public sealed class InProcessViewerTests
{
    private static ModifyRequest Speed(int speed)
    {
        var request = new ModifyRequest { Model = "lab/stage" };
        request.Values["Speed"] = ModelValues.ToValue(speed);
        return request;
    }

    [Fact]
    public async Task An_in_process_viewer_gets_the_snapshot_then_every_change_in_order_and_leaves_when_it_stops_reading()
    {
        var stage = new Stage();
        await using var host = new ModelHost("lab/stage", stage, timeProvider: new FakeTimeProvider());
        var seen = new List<Notification>();
        await using (var viewer = host.Subscribe(new SubscribeRequest { ViewerName = "panel" }, "in-process").GetAsyncEnumerator())
        {
            Assert.True(await viewer.MoveNextAsync());
            seen.Add(viewer.Current);
            Assert.Equal("panel", Assert.Single(host.Viewers()).Name);
            for (var speed = 1; speed <= 10; speed++)
            {
                host.Modify(Speed(speed), "alice");
            }

            while (seen.Count < 11 && await viewer.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
            {
                seen.Add(viewer.Current);
            }
        }

        Assert.Equal(Kind.Snapshot, seen[0].Kind);
        Assert.Equal(Enumerable.Range(0, 11).Select(v => (long)v), seen.Select(n => n.Version));
        Assert.Equal(Enumerable.Range(1, 10).Select(v => (long)v), seen.Skip(1).Select(n => n.Values["Speed"].IntValue));
        Assert.Empty(host.Viewers());
    }

    [Fact]
    public async Task An_in_process_viewer_that_stops_reading_holds_up_neither_the_model_nor_others_and_is_resynchronised()
    {
        await using var host = new ModelHost("lab/stage", new Stage(), new ModelHostOptions { ViewerQueueCapacity = 4 }, new FakeTimeProvider());
        await using var stalled = host.Subscribe(new SubscribeRequest { ViewerName = "stalled" }, "in-process").GetAsyncEnumerator();
        await using var reading = host.Subscribe(new SubscribeRequest { ViewerName = "reading" }, "in-process").GetAsyncEnumerator();
        Assert.True(await stalled.MoveNextAsync());
        Assert.True(await reading.MoveNextAsync());

        // Each Modify returns at once, though one viewer reads nothing.
        const int Changes = 100;
        var versions = new List<long>();
        for (var i = 1; i <= Changes; i++)
        {
            host.Modify(Speed(1 + (i % 10)), "alice");
            Assert.True(await reading.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
            versions.Add(reading.Current.Version);
        }

        Assert.Equal(Enumerable.Range(1, Changes).Select(v => (long)v), versions);
        Assert.True(host.Viewers().Single(v => v.Name == "stalled").Resyncs > 0);

        // Reading again: what was waiting in its stream, then a RESYNC at the latest version.
        var late = new List<Notification>();
        while (late.LastOrDefault()?.Version != Changes && await stalled.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
        {
            late.Add(stalled.Current);
        }

        var resync = Assert.Single(late, n => n.Kind == Kind.Resync);
        Assert.Equal((Changes, "stalled"), (resync.Version, resync.ViewerName));
        Assert.True(late.Count < 10, $"the stalled viewer got {late.Count} notifications after {Changes} changes");
    }

    [Fact]
    public async Task An_in_process_subscription_is_checked_when_made()
    {
        await using var host = new ModelHost("lab/stage", new Stage(), timeProvider: new FakeTimeProvider());
        var error = Assert.Throws<ModelException>(() => host.Subscribe(new SubscribeRequest { MaxRateHz = -1 }, "in-process"));
        Assert.Equal(ModelErrorReason.InvalidArgument, error.Reason);
    }
}
