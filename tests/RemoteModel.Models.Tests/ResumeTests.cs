using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;
using RemoteModel.Models.Values;
using RemoteModel.Naming.Client;
using RemoteModel.Testing;
using Kind = RemoteModel.Models.V1.Notification.Types.Kind;
using ResyncReason = RemoteModel.Models.V1.Notification.Types.ResyncReason;

namespace RemoteModel.Models.Tests;

/// <summary>Resuming a subscription without a snapshot, and telling a restarted server.</summary>
public sealed class ResumeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static ModifyRequest Set(string property, object value) => new() { Model = "oven", Values = { [property] = ModelValues.ToValue(value) } };

    private static async Task<List<Notification>> FirstAsync(ModelHost host, SubscribeRequest request, int count)
    {
        var seen = new List<Notification>();
        await using var viewer = host.Subscribe(request, "in-process").GetAsyncEnumerator();
        while (seen.Count < count && await viewer.MoveNextAsync().AsTask().WaitAsync(Patience))
        {
            seen.Add(viewer.Current);
        }

        return seen;
    }

    [Fact]
    public async Task A_viewer_naming_the_epoch_and_a_version_still_held_gets_RESUMED_and_exactly_the_changes_after_it_as_it_views_them()
    {
        await using var host = new ModelHost("oven", new Furnace(), new ModelHostOptions { ChangeLogCapacity = 4 }, new FakeTimeProvider());
        host.Modify(Set("Temperature", 60.0), "alice");
        host.Modify(Set("Position", 1.0), "alice");
        host.Modify(Set("Temperature", 125.0), "alice");
        host.Modify(Set("Door", "open"), "alice");

        var all = await FirstAsync(host, new SubscribeRequest { ResumeEpoch = host.Epoch, ResumeAfterVersion = 1 }, 4);
        Assert.Equal([(Kind.Resumed, 1L), (Kind.Change, 2L), (Kind.Change, 3L), (Kind.Change, 4L)], all.Select(n => (n.Kind, n.Version)));
        Assert.Equal(host.Epoch, all[0].Epoch);
        Assert.Empty(all[0].Values);
        Assert.Equal(Quality.Alarm, all[2].States["Temperature"].Quality);

        var filtered = await FirstAsync(host, new SubscribeRequest { Properties = { "Temperature" }, ResumeEpoch = host.Epoch, ResumeAfterVersion = 1 }, 2);
        Assert.Equal([(Kind.Resumed, 1L), (Kind.Change, 3L)], filtered.Select(n => (n.Kind, n.Version)));

        // Nothing missed: RESUMED alone, then live changes.
        await using var current = host.Subscribe(new SubscribeRequest { ResumeEpoch = host.Epoch, ResumeAfterVersion = 4 }, "in-process").GetAsyncEnumerator();
        Assert.True(await current.MoveNextAsync());
        Assert.Equal((Kind.Resumed, 4L), (current.Current.Kind, current.Current.Version));
        host.Modify(Set("Door", "shut"), "alice");
        Assert.True(await current.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal((Kind.Change, 5L), (current.Current.Kind, current.Current.Version));
    }

    [Theory]
    [InlineData(false, 0L, ResyncReason.HistoryGone)] // the log keeps 4 changes: 2..5 of 5
    [InlineData(false, 6L, ResyncReason.HistoryGone)] // a version never reached
    [InlineData(true, 4L, ResyncReason.EpochChanged)]
    public async Task A_viewer_that_cannot_resume_gets_a_RESYNC_snapshot_saying_why(bool otherEpoch, long after, ResyncReason reason)
    {
        await using var host = new ModelHost("oven", new Furnace(), new ModelHostOptions { ChangeLogCapacity = 4 }, new FakeTimeProvider());
        for (var i = 1; i <= 5; i++)
        {
            host.Modify(Set("Position", (double)i), "alice");
        }

        var first = Assert.Single(await FirstAsync(host, new SubscribeRequest { ResumeEpoch = otherEpoch ? "0123456789abcdef" : host.Epoch, ResumeAfterVersion = after }, 1));

        Assert.Equal((Kind.Resync, reason, 5L, host.Epoch), (first.Kind, first.ResyncReason, first.Version, first.Epoch));
        Assert.Equal(5.0, first.Values["Position"].DoubleValue);
        Assert.Equal(Quality.Valid, first.StateOf("Temperature").Quality);
    }

    [Fact]
    public async Task Each_host_start_has_its_own_epoch()
    {
        await using var one = new ModelHost("oven", new Furnace(), timeProvider: new FakeTimeProvider());
        await using var two = new ModelHost("oven", new Furnace(), timeProvider: new FakeTimeProvider());

        Assert.Matches("^[0-9a-f]{16}$", one.Epoch);
        Assert.NotEqual(one.Epoch, two.Epoch);
    }

    [Fact]
    public async Task A_follower_whose_connection_is_cut_resumes_with_exactly_the_missed_versions_is_resynchronised_when_history_is_gone_and_told_the_epoch_after_a_restart()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 6, 0, 0, TimeSpan.Zero));
        var first = await ModelTestServer.StartAsync(clock, new ModelHostOptions { ChangeLogCapacity = 8 }, r => r.Add("oven", new Furnace()));
        ModelTestServer? second = null;
        var firstStopped = false;
        await using var proxy = new TcpProxy(first.Server.Address);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            var client = first.Client(out var asAlice);
            var epoch = first.Registry.Find("oven")!.Epoch;
            var follower = new ModelFollower(ServiceAddress.Parse(proxy.Address), new SubscribeRequest { Model = "oven", ViewerName = "wall" })
            {
                Signer = null,
                InitialRetryDelay = TimeSpan.FromMilliseconds(50),
                MaxRetryDelay = TimeSpan.FromMilliseconds(200),
            };
            var events = Channel.CreateUnbounded<FollowEvent>();
            var following = Task.Run(async () =>
            {
                await foreach (var e in follower.FollowAsync(stop.Token))
                {
                    await events.Writer.WriteAsync(e);
                }
            });

            async Task<FollowEvent> NextAsync(Func<FollowEvent, bool>? wanted = null)
            {
                while (true)
                {
                    var e = await events.Reader.ReadAsync(stop.Token).AsTask().WaitAsync(Patience);
                    if (wanted?.Invoke(e) ?? true)
                    {
                        return e;
                    }
                }
            }

            async Task<List<long>> ModifyAsync(int count, double from)
            {
                var versions = new List<long>();
                for (var i = 0; i < count; i++)
                {
                    versions.Add((await client.ModifyAsync("oven", new Dictionary<string, object?> { ["Temperature"] = from + (10 * i) }, options: asAlice)).Version);
                }

                return versions;
            }

            var connected = await NextAsync();
            Assert.Equal((FollowEventKind.Connected, SubscriptionStart.Fresh, epoch), (connected.Kind, connected.Start, connected.Notification!.Epoch));
            await ModifyAsync(1, 40);
            Assert.Equal(1, (await NextAsync()).Notification!.Version);

            // Cut: the follower loses the stream; five changes happen meanwhile, the second to fourth beyond the warning limit.
            proxy.Cut();
            await NextAsync(e => e.Kind == FollowEventKind.Lost);
            var missed = await ModifyAsync(5, 95);
            proxy.Reopen();
            var resumed = await NextAsync(e => e.Kind == FollowEventKind.Connected);
            Assert.Equal((SubscriptionStart.Resumed, Kind.Resumed, 1L), (resumed.Start, resumed.Notification!.Kind, resumed.Notification.Version));
            Assert.Equal("resumed after v1: the missed changes follow", resumed.DescribeStart());
            var replayed = new List<Notification>();
            for (var i = 0; i < missed.Count; i++)
            {
                replayed.Add((await NextAsync()).Notification!);
            }

            Assert.Equal(missed, replayed.Select(n => n.Version));
            Assert.All(replayed, n => Assert.Equal(Kind.Change, n.Kind));
            Assert.Equal([Quality.Valid, Quality.Warning, Quality.Warning, Quality.Alarm, Quality.Alarm], replayed.Select(n => n.StateOf("Temperature").Quality));

            // Cut again, for more changes than the host keeps: a RESYNC that says so.
            proxy.Cut();
            await NextAsync(e => e.Kind == FollowEventKind.Lost);
            var many = await ModifyAsync(12, 30);
            proxy.Reopen();
            var gone = await NextAsync(e => e.Kind == FollowEventKind.Connected);
            Assert.Equal((SubscriptionStart.Resynchronised, Kind.Resync, ResyncReason.HistoryGone, many[^1]), (gone.Start, gone.Notification!.Kind, gone.Notification.ResyncReason, gone.Notification.Version));
            Assert.Equal($"resynchronised at v{many[^1]}: the changes after v{missed[^1]} are no longer held", gone.DescribeStart());

            // The model server restarts: a RESYNC naming the new epoch.
            second = await ModelTestServer.StartAsync(clock, host: r => r.Add("oven", new Furnace()));
            proxy.Retarget(second.Server.Address);
            firstStopped = true;
            await first.DisposeAsync();
            var restarted = await NextAsync(e => e.Kind == FollowEventKind.Connected);
            var newEpoch = second.Registry.Find("oven")!.Epoch;
            Assert.Equal((SubscriptionStart.Resynchronised, ResyncReason.EpochChanged, newEpoch), (restarted.Start, restarted.Notification!.ResyncReason, restarted.Notification.Epoch));
            Assert.Equal($"resynchronised at v0: the model server restarted (epoch {newEpoch}, was {epoch})", restarted.DescribeStart());

            stop.Cancel();
            await following;
        }
        finally
        {
            if (!firstStopped)
            {
                await first.DisposeAsync();
            }

            if (second is not null)
            {
                await second.DisposeAsync();
            }
        }
    }
}
