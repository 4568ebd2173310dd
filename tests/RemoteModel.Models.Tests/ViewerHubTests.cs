using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RemoteModel.Grpc;
using RemoteModel.Models.Runtime;
using RemoteModel.Models.V1;
using RemoteModel.Models.Values;
using Kind = RemoteModel.Models.V1.Notification.Types.Kind;

namespace RemoteModel.Models.Tests;

/// <summary><see cref="ViewerHub"/>: viewers joining, leaving and being written to, without a model or a transport.</summary>
public sealed class ViewerHubTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new();
    private readonly object _gate = new();
    private long _version;

    private ViewerHub Hub(ModelHostOptions? options = null) =>
        new("lab/stage", options ?? new ModelHostOptions(), _gate, (viewer, kind) => new Notification { Kind = kind, Version = _version, ViewerName = viewer.Name },
            _time, NullLogger.Instance, null);

    private static SubscribeRequest Request(string name, params string[] properties)
    {
        var request = new SubscribeRequest { ViewerName = name };
        request.Properties.AddRange(properties);
        return request;
    }

    private void Change(ViewerHub hub, string property, int value)
    {
        lock (_gate)
        {
            var change = new Notification { Kind = Kind.Change, Version = ++_version };
            change.Values[property] = ModelValues.ToValue(value);
            hub.Publish(change);
        }
    }

    [Fact]
    public async Task A_slow_viewer_holds_up_neither_the_model_nor_a_fast_viewer_and_is_resynchronised_when_it_catches_up()
    {
        var hub = Hub(new ModelHostOptions { ViewerQueueCapacity = 4 });
        var fast = new Recorder(expected: 11);
        var slow = new Recorder(expected: 2) { Blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        using var leave = new CancellationTokenSource();
        var serving = new[]
        {
            hub.ServeAsync(hub.Check(Request("fast"), null), "peer", fast.WriteAsync, leave.Token),
            hub.ServeAsync(hub.Check(Request("slow"), null), "peer", slow.WriteAsync, leave.Token),
        };

        // The slow viewer's very first write (its snapshot) does not complete; every change still
        // returns at once, and the fast viewer gets each (it is waited for only to keep its own queue short).
        await fast.ReceiveAsync(1);
        for (var speed = 1; speed <= 10; speed++)
        {
            Change(hub, "Speed", speed);
            await fast.ReceiveAsync(1);
        }

        Assert.Equal([Kind.Snapshot, .. Enumerable.Repeat(Kind.Change, 10)], fast.Seen.Select(n => n.Kind));
        Assert.Equal(Enumerable.Range(0, 11).Select(v => (long)v), fast.Seen.Select(n => n.Version));
        Assert.Single(slow.Seen);

        slow.Blocked.SetResult();
        await slow.Complete.Task.WaitAsync(Patience);
        Assert.Equal((Kind.Resync, 10L, "slow"), (slow.Seen[1].Kind, slow.Seen[1].Version, slow.Seen[1].ViewerName));
        Assert.Equal(1, hub.Describe().Single(v => v.Name == "slow").Resyncs);

        leave.Cancel();
        foreach (var served in serving)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => served.WaitAsync(Patience));
        }

        Assert.Equal(0, hub.Count);
    }

    [Fact]
    public async Task A_viewer_that_asked_for_some_properties_gets_only_the_changes_to_them()
    {
        var hub = Hub();
        var first = hub.Check(Request("a", "Speed"), ["Speed"]);
        Assert.Same(first.Properties, hub.Check(Request("b", "Speed"), ["Speed"]).Properties);

        var speed = new Recorder(expected: 3);
        _ = hub.ServeAsync(first, "peer", speed.WriteAsync, CancellationToken.None);
        Change(hub, "Speed", 1);
        Change(hub, "Label", 2);
        Change(hub, "Speed", 3);
        await speed.Complete.Task.WaitAsync(Patience);
        Assert.Equal([0L, 1L, 3L], speed.Seen.Select(n => n.Version));
        Assert.All(speed.Seen.Skip(1), n => Assert.Equal(["Speed"], n.Values.Keys));
        hub.Close();
    }

    [Fact]
    public async Task A_sample_goes_only_to_the_viewers_that_asked_for_its_stream()
    {
        var hub = Hub();
        var request = Request("sampler");
        request.Streams.Add("temps");
        var sampler = new Recorder(expected: 2);
        var other = new Recorder(expected: 1);
        _ = hub.ServeAsync(hub.Check(request, null), "peer", sampler.WriteAsync, CancellationToken.None);
        _ = hub.ServeAsync(hub.Check(Request("other"), null), "peer", other.WriteAsync, CancellationToken.None);
        lock (_gate)
        {
            hub.PublishSample("temps", new Notification { Kind = Kind.Sample, Cause = "temps" });
        }

        await sampler.Complete.Task.WaitAsync(Patience);
        Assert.Equal(Kind.Sample, sampler.Seen[1].Kind);
        Assert.Single(other.Seen);
        hub.Close();
    }

    [Fact]
    public async Task Joining_is_refused_past_the_limit_or_under_a_taken_name_and_closing_ends_every_viewer()
    {
        var hub = Hub(new ModelHostOptions { MaxViewers = 1 });
        var panel = new Recorder(expected: 1);
        var serving = hub.ServeAsync(hub.Check(Request("panel"), null), "peer", panel.WriteAsync, CancellationToken.None);
        Assert.Equal("panel", Assert.Single(hub.Describe()).Name);

        var full = await Assert.ThrowsAsync<ModelException>(() => hub.ServeAsync(hub.Check(Request("other"), null), "peer", panel.WriteAsync, CancellationToken.None));
        Assert.Equal((ModelErrorReason.ResourceExhausted, "model 'lab/stage' has its maximum of 1 viewers"), (full.Reason, full.Message));
        var roomier = Hub(new ModelHostOptions { MaxViewers = 2 });
        _ = roomier.ServeAsync(roomier.Check(Request("panel"), null), "peer", new Recorder(1).WriteAsync, CancellationToken.None);
        var taken = await Assert.ThrowsAsync<ModelException>(() => roomier.ServeAsync(roomier.Check(Request("panel"), null), "peer", panel.WriteAsync, CancellationToken.None));
        Assert.Equal((ModelErrorReason.AlreadyExists, "a viewer named 'panel' is already subscribed to model 'lab/stage'"), (taken.Reason, taken.Message));

        hub.Close();
        roomier.Close();
        await serving.WaitAsync(Patience);
        Assert.Equal(0, hub.Count);
    }

    [Fact]
    public async Task Resynchronising_all_gives_every_viewer_a_fresh_snapshot_of_its_own_and_the_changes_after_it()
    {
        var hub = Hub();
        var queued = new Recorder(expected: 4);
        var latest = new Recorder(expected: 4);
        _ = hub.ServeAsync(hub.Check(Request("queued"), null), "peer", queued.WriteAsync, CancellationToken.None);
        _ = hub.ServeAsync(hub.Check(new SubscribeRequest { ViewerName = "latest", Mode = DeliveryMode.Latest }, null), "peer", latest.WriteAsync, CancellationToken.None);
        await queued.ReceiveAsync(1);
        await latest.ReceiveAsync(1);
        Change(hub, "Speed", 1);
        await queued.ReceiveAsync(1);
        await latest.ReceiveAsync(1);

        // The state is replaced as a whole (a relay's source restarted at another version), then changes go on from there.
        lock (_gate)
        {
            _version = 40;
            hub.ResynchroniseAll(Notification.Types.ResyncReason.EpochChanged);
        }

        await queued.ReceiveAsync(1);
        await latest.ReceiveAsync(1);
        Change(hub, "Speed", 2);
        await queued.Complete.Task.WaitAsync(Patience);
        await latest.Complete.Task.WaitAsync(Patience);
        Assert.Equal([(Kind.Snapshot, 0L), (Kind.Change, 1L), (Kind.Resync, 40L), (Kind.Change, 41L)], queued.Seen.Select(n => (n.Kind, n.Version)));
        Assert.Equal("queued", queued.Seen[2].ViewerName);
        Assert.Equal(Notification.Types.ResyncReason.EpochChanged, queued.Seen[2].ResyncReason);
        Assert.Equal([(Kind.Resync, 40L, "latest"), (Kind.Change, 41L, "")], latest.Seen.Skip(2).Select(n => (n.Kind, n.Version, n.ViewerName)));
        Assert.All(hub.Describe(), v => Assert.Equal(1, v.Resyncs));
        hub.Close();
    }

    [Theory]
    [InlineData(-1, "panel", "max_rate_hz must be within 0 (unlimited)..1000, not -1")]
    [InlineData(1001, "panel", "max_rate_hz must be within 0 (unlimited)..1000, not 1001")]
    [InlineData(0, "a/b", "viewer name 'a/b' is not one name segment")]
    public void A_request_a_viewer_cannot_be_served_by_is_refused(double maxRateHz, string name, string message)
    {
        var refused = Assert.Throws<ModelException>(() => Hub().Check(new SubscribeRequest { ViewerName = name, MaxRateHz = maxRateHz }, null));
        Assert.Equal(ModelErrorReason.InvalidArgument, refused.Reason);
        Assert.Contains(message, refused.Message);
    }

    /// <summary>A viewer's stream: it keeps what is written, and completes once it has seen what the test waits for.</summary>
    private sealed class Recorder(int expected)
    {
        private readonly object _lock = new();
        private readonly List<Notification> _seen = [];
        private readonly SemaphoreSlim _arrived = new(0);

        public TaskCompletionSource? Blocked { get; init; }

        public TaskCompletionSource Complete { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<Notification> Seen
        {
            get
            {
                lock (_lock)
                {
                    return [.. _seen];
                }
            }
        }

        /// <summary>Waits for <paramref name="count"/> more notifications.</summary>
        public async Task ReceiveAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                Assert.True(await _arrived.WaitAsync(Patience), "a notification in time");
            }
        }

        public Task WriteAsync(IReadOnlyList<SerializedMessage<Notification>> batch, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                _seen.AddRange(batch.Select(m => m.Message));
                _arrived.Release(batch.Count);
                if (_seen.Count >= expected)
                {
                    Complete.TrySetResult();
                }
            }

            return Blocked?.Task.WaitAsync(cancellationToken) ?? Task.CompletedTask;
        }
    }
}
