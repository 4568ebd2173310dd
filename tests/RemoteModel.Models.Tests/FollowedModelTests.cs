using Google.Protobuf.WellKnownTypes;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;
using Kind = RemoteModel.Models.V1.Notification.Types.Kind;
using Value = RemoteModel.Models.V1.Value;

namespace RemoteModel.Models.Tests;

/// <summary>A model as the follower's events leave it: what the console viewer and the web view both show.</summary>
public sealed class FollowedModelTests
{
    private const string Endpoint = "http://127.0.0.1:5000";
    private static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    // A value a notification carries no state for is VALID as of the notification's time.
    private static ValueState ValidAt(int seconds) => new() { Quality = Quality.Valid, SourceTime = Timestamp.FromDateTimeOffset(Start.AddSeconds(seconds)) };

    [Fact]
    public void Properties_come_in_the_declared_order_then_by_name_with_the_version_time_and_author_of_their_last_change()
    {
        var model = new FollowedModel();
        model.Apply(Connected(7, ("Zeta", Number(1)), ("Price", Number(101.5)), ("Alpha", Text("a"))));
        model.Describe(new ModelDescription
        {
            Properties = { new PropertyDescription { Name = "Symbol" }, new PropertyDescription { Name = "Price" } },
            Lifecycle = new LifecycleDescription { State = LifecycleState.Configured },
        });
        var taken = model.Apply(Change(8, "alice", "modify", ("Price", Number(102.25))));

        Assert.Equal(["Price"], taken.Select(p => p.Name));
        Assert.Equal(["Symbol", "Price", "Alpha", "Zeta"], model.Properties.Select(p => p.Name));
        Assert.Equal(new FollowedProperty("Symbol", null, null, 0, null, string.Empty), model.Properties.First());
        Assert.Equal(new FollowedProperty("Price", Number(102.25), ValidAt(8), 8, Start.AddSeconds(8), "alice (modify)"), model.Properties.ElementAt(1));
        Assert.Equal(new FollowedProperty("Alpha", Text("a"), ValidAt(7), 7, Start.AddSeconds(7), "(snapshot)"), model.Properties.ElementAt(2));
        Assert.Equal((8L, Start.AddSeconds(8), "wall", Endpoint, LifecycleState.Configured), (model.Version, model.Time, model.ViewerName, model.Endpoint, model.State));
    }

    [Fact]
    public void A_resync_while_connected_marks_only_the_values_or_qualities_that_differ()
    {
        var model = new FollowedModel();
        model.Apply(Connected(3, ("Price", Number(1)), ("Symbol", Text("A")), ("Level", Number(5))));
        var resync = new Notification
        {
            Kind = Kind.Resync, Version = 9, Time = Timestamp.FromDateTimeOffset(Start.AddSeconds(9)),
            Values = { ["Price"] = Number(2), ["Symbol"] = Text("A"), ["Level"] = Number(5) },
            States = { ["Level"] = new ValueState { Quality = Quality.Alarm, Reason = "above 4" } },
        };

        var taken = model.Apply(new FollowEvent(FollowEventKind.Notification, Endpoint, resync));

        Assert.Equal(["Level", "Price"], taken.Select(p => p.Name).Order());
        var properties = model.Properties.ToDictionary(p => p.Name);
        Assert.Equal((9L, "(resync)"), (properties["Price"].Version, properties["Price"].By));
        Assert.Equal((Quality.Alarm, "above 4"), (properties["Level"].Quality, properties["Level"].State!.Reason));
        Assert.Equal((3L, "(snapshot)"), (properties["Symbol"].Version, properties["Symbol"].By));
        Assert.Equal(9, model.Version);
    }

    [Fact]
    public void A_reconnection_marks_every_value_of_its_snapshot_however_alike()
    {
        var model = new FollowedModel();
        model.Apply(Connected(40, ("Price", Number(99))));
        var again = Connected(2, ("Price", Number(99)));
        again.Notification!.Kind = Kind.Resync;

        var taken = model.Apply(again with { Start = SubscriptionStart.Resynchronised });

        Assert.Equal(new FollowedProperty("Price", Number(99), ValidAt(2), 2, Start.AddSeconds(2), "(snapshot)"), Assert.Single(taken));
    }

    [Fact]
    public void The_connection_is_told_as_connecting_connected_lost_and_reconnected_with_how()
    {
        var model = new FollowedModel();
        Assert.Equal(("connecting", false), (model.DescribeConnection(), model.Connected));

        model.Apply(Connected(40, ("Price", Number(99))));
        Assert.Equal(("connected", true), (model.DescribeConnection(), model.Connected));
        Assert.Equal($"connected to {Endpoint}", model.DescribeConnection(namingEndpoint: true));

        model.Apply(new FollowEvent(FollowEventKind.Lost, Endpoint, null, "Unavailable: the model server went away", TimeSpan.FromMilliseconds(400)));
        Assert.Equal(("lost (Unavailable: the model server went away); reconnecting in 0.4 s", false), (model.DescribeConnection(), model.Connected));
        Assert.Equal(40, model.Version);

        model.Apply(new FollowEvent(FollowEventKind.Connected, Endpoint, new Notification { Kind = Kind.Resumed, Version = 40, Epoch = "e1", ViewerName = "wall" })
        {
            Start = SubscriptionStart.Resumed, ResumeAfter = ("e1", 40),
        });
        Assert.Equal("reconnected: resumed after v40: the missed changes follow", model.DescribeConnection());
        Assert.Equal($"reconnected to {Endpoint}: resumed after v40: the missed changes follow", model.DescribeConnection(namingEndpoint: true));
        Assert.Equal("(snapshot)", Assert.Single(model.Properties).By);
    }

    [Fact]
    public void The_lock_comes_with_the_snapshot_and_each_lock_notification_which_changes_no_value()
    {
        var held = new LockInfo { Holder = "alice [key ops]", Since = Timestamp.FromDateTimeOffset(Start) };
        var model = new FollowedModel();
        var snapshot = Connected(3, ("Price", Number(1)));
        snapshot.Notification!.Lock = held;
        model.Apply(snapshot);
        Assert.Equal(held, model.Lock);

        var released = new Notification { Kind = Kind.Lock, Version = 3, ChangedBy = "root [key root]", Cause = "break-lock" };
        Assert.Empty(model.Apply(new FollowEvent(FollowEventKind.Notification, Endpoint, released)));
        Assert.Null(model.Lock);
        Assert.Equal((3L, "(snapshot)"), (Assert.Single(model.Properties).Version, model.Properties.Single().By));
    }

    [Fact]
    public void A_sample_says_its_stream_and_a_lifecycle_transition_moves_the_state()
    {
        var model = new FollowedModel();
        model.Apply(Connected(1, ("Price", Number(1))));
        model.Apply(new FollowEvent(FollowEventKind.Notification, Endpoint, new Notification
        {
            Kind = Kind.Sample, Version = 1, Cause = "spectrum", Values = { ["Spectrum"] = Text("...") },
        }));
        model.Apply(new FollowEvent(FollowEventKind.Notification, Endpoint, new Notification
        {
            Kind = Kind.Change, Version = 2, ChangedBy = "bob", Cause = "invoke:Configure", State = LifecycleState.Configured,
        }));

        Assert.Equal("(sample spectrum)", model.Properties.Single(p => p.Name == "Spectrum").By);
        Assert.Equal((LifecycleState.Configured, 2L), (model.State, model.Version));
    }

    private static FollowEvent Connected(long version, params (string Name, Value Value)[] values)
    {
        var snapshot = new Notification { Kind = Kind.Snapshot, Version = version, Time = Timestamp.FromDateTimeOffset(Start.AddSeconds(version)), ViewerName = "wall" };
        foreach (var (name, value) in values)
        {
            snapshot.Values[name] = value;
        }

        return new FollowEvent(FollowEventKind.Connected, Endpoint, snapshot);
    }

    private static FollowEvent Change(long version, string by, string cause, params (string Name, Value Value)[] values)
    {
        var change = new Notification { Kind = Kind.Change, Version = version, Time = Timestamp.FromDateTimeOffset(Start.AddSeconds(version)), ChangedBy = by, Cause = cause };
        foreach (var (name, value) in values)
        {
            change.Values[name] = value;
        }

        return new FollowEvent(FollowEventKind.Notification, Endpoint, change);
    }

    private static Value Number(double number) => new() { DoubleValue = number };

    private static Value Text(string text) => new() { StringValue = text };
}
