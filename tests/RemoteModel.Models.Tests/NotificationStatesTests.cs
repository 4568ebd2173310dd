using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Time.Testing;
using RemoteModel.Grpc;
using RemoteModel.Models.Client;
using RemoteModel.Models.Runtime;
using RemoteModel.Models.V1;
using RemoteModel.Models.Values;
using Xunit.Abstractions;
using Kind = RemoteModel.Models.V1.Notification.Types.Kind;
using Value = RemoteModel.Models.V1.Value;

namespace RemoteModel.Models.Tests;

/// <summary>
/// The protocol's rule for an absent state (VALID, no reason, source time = the notification's time):
/// the host leaves such states out once per change, coalescing keeps every value's meaning, deadbands
/// read an absent state as VALID, and readers fill it in with <see cref="NotificationStates.StateOf"/>.
/// </summary>
public sealed class NotificationStatesTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    private static ModifyRequest Set(string property, object value) => new() { Model = "oven", Values = { [property] = ModelValues.ToValue(value) } };

    private static Timestamp At(int seconds) => Timestamp.FromDateTimeOffset(Start.AddSeconds(seconds));

    /// <summary>The changes the host committed after <paramref name="version"/>, as it keeps them (and replays them to a resuming viewer).</summary>
    private static async Task<List<Notification>> CommittedAsync(ModelHost host, long version = 0)
    {
        var seen = new List<Notification>();
        await using var viewer = host.Subscribe(new SubscribeRequest { ResumeEpoch = host.Epoch, ResumeAfterVersion = version }, "in-process").GetAsyncEnumerator();
        Assert.True(await viewer.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(Kind.Resumed, viewer.Current.Kind);
        while (seen.Count < host.Version - version && await viewer.MoveNextAsync().AsTask().WaitAsync(Patience))
        {
            seen.Add(viewer.Current);
        }

        return seen;
    }

    [Fact]
    public async Task A_VALID_change_carries_no_state_and_an_ALARM_carries_its_own_and_a_rewrite_of_the_same_value_keeps_its_older_source_time()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = new ModelHost("oven", new Furnace(), new ModelHostOptions(), clock);
        clock.Advance(TimeSpan.FromSeconds(1));
        host.Modify(Set("Temperature", 60.0), "alice");
        clock.Advance(TimeSpan.FromSeconds(1));
        host.Modify(Set("Temperature", 125.0), "alice");
        clock.Advance(TimeSpan.FromSeconds(1));
        host.Modify(Set("Position", 5.0), "alice");
        clock.Advance(TimeSpan.FromSeconds(1));
        // The same value again: a change, but not one at the source, so it says when it last was.
        host.Modify(Set("Position", 5.0), "alice");

        var changes = await CommittedAsync(host);

        Assert.Empty(changes[0].States);
        Assert.Equal(new ValueState { Quality = Quality.Valid, SourceTime = At(1) }, changes[0].StateOf("Temperature"));
        Assert.Equal(new ValueState { Quality = Quality.Alarm, Reason = "above high alarm limit 120", SourceTime = At(2) }, Assert.Single(changes[1].States).Value);
        Assert.Empty(changes[2].States);
        Assert.Equal(new ValueState { Quality = Quality.Valid, SourceTime = At(3) }, Assert.Single(changes[3].States).Value);
        Assert.Equal(At(4), changes[3].Time);

        // Query and Modify's answer keep every state.
        Assert.Equal(3, host.Query().States.Count);
    }

    [Fact]
    public async Task A_snapshot_leaves_out_only_the_states_of_values_that_changed_at_its_own_time()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = new ModelHost("oven", new Furnace(), new ModelHostOptions(), clock);
        clock.Advance(TimeSpan.FromSeconds(1));
        host.Modify(Set("Temperature", 125.0), "alice");
        clock.Advance(TimeSpan.FromSeconds(1));
        host.Modify(Set("Position", 5.0), "alice");

        await using var viewer = host.Subscribe(new SubscribeRequest(), "in-process").GetAsyncEnumerator();
        Assert.True(await viewer.MoveNextAsync().AsTask().WaitAsync(Patience));
        var snapshot = viewer.Current;

        Assert.Equal((Kind.Snapshot, At(2)), (snapshot.Kind, snapshot.Time));
        Assert.Equal(["Door", "Temperature"], snapshot.States.Keys.Order());
        Assert.Equal(new ValueState { Quality = Quality.Valid, SourceTime = Timestamp.FromDateTimeOffset(Start) }, snapshot.StateOf("Door"));
        Assert.Equal(Quality.Alarm, snapshot.StateOf("Temperature").Quality);
        Assert.Equal(new ValueState { Quality = Quality.Valid, SourceTime = At(2) }, snapshot.StateOf("Position"));
    }

    [Fact]
    public async Task Coalesced_changes_keep_the_source_time_of_a_value_only_an_earlier_change_carried_and_drop_a_state_a_later_VALID_change_replaced()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = new ModelHost("oven", new Furnace(), new ModelHostOptions(), clock);
        clock.Advance(TimeSpan.FromSeconds(1));
        host.Modify(Set("Position", 1.0), "alice"); // VALID at 1, no state
        clock.Advance(TimeSpan.FromSeconds(1));
        host.Modify(Set("Temperature", 125.0), "alice"); // ALARM at 2
        clock.Advance(TimeSpan.FromSeconds(1));
        host.Modify(Set("Door", "open"), "alice"); // VALID at 3, no state
        clock.Advance(TimeSpan.FromSeconds(1));
        host.Modify(Set("Temperature", 50.0), "alice"); // VALID again at 4, no state
        var changes = await CommittedAsync(host);
        Assert.All(changes.Where(c => c.Version != 2), c => Assert.Empty(c.States));

        var merged = Coalesce(changes);

        Assert.Equal((4L, At(4)), (merged.Version, merged.Time));
        Assert.Equal(["Door", "Position"], merged.States.Keys.Order());
        Assert.Equal(new ValueState { Quality = Quality.Valid, SourceTime = At(1) }, merged.StateOf("Position"));
        Assert.Equal(new ValueState { Quality = Quality.Valid, SourceTime = At(3) }, merged.StateOf("Door"));
        // The ALARM of version 2 is over: version 4's absent state says VALID at 4.
        Assert.Equal(new ValueState { Quality = Quality.Valid, SourceTime = At(4) }, merged.StateOf("Temperature"));

        // Each value reads as it did in the last change that carried it.
        foreach (var name in merged.Values.Keys)
        {
            Assert.Equal(changes.Last(c => c.Values.ContainsKey(name)).StateOf(name), merged.StateOf(name));
        }

        // Up to the ALARM only: it stays explicit, and Position gets its time of 1.
        var upToAlarm = Coalesce(changes.Take(2));
        Assert.Equal(Quality.Alarm, upToAlarm.StateOf("Temperature").Quality);
        Assert.Equal(At(1), upToAlarm.StateOf("Position").SourceTime);
    }

    [Fact]
    public async Task Changes_made_at_one_instant_coalesce_without_adding_states()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = new ModelHost("oven", new Furnace(), new ModelHostOptions(), clock);
        clock.Advance(TimeSpan.FromSeconds(1));
        host.Modify(Set("Position", 1.0), "alice");
        host.Modify(Set("Door", "open"), "alice");

        var merged = Coalesce(await CommittedAsync(host));

        Assert.Empty(merged.States);
        Assert.Equal(At(1), merged.StateOf("Position").SourceTime);
    }

    /// <summary>The changes as a LATEST viewer that was busy while they came gets them: one merged notification.</summary>
    private static Notification Coalesce(IEnumerable<Notification> changes)
    {
        var viewer = new Viewer("latest", "in-process", Start, DeliveryMode.Latest, 0, null, new HashSet<string>(), 16)
        {
            Write = (_, _) => Task.CompletedTask,
            Token = CancellationToken.None,
        };
        foreach (var change in changes)
        {
            // Busy until its snapshot is written: every change is merged into the one pending.
            Assert.False(viewer.Offer(new SerializedMessage<Notification>(change)));
        }

        return Notification.Parser.ParseFrom(Assert.Single(viewer.Take()!).Bytes.Span);
    }

    [Fact]
    public async Task A_deadband_reads_an_absent_state_as_VALID_and_delivers_a_quality_change_inside_the_band()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = new ModelHost("oven", new Furnace(), new ModelHostOptions(), clock);
        await using var banded = host.Subscribe(new SubscribeRequest { Deadbands = { new Deadband { Property = "Temperature", Absolute = 100 } } }, "in-process").GetAsyncEnumerator();
        Assert.True(await banded.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.False(banded.Current.States.ContainsKey("Temperature"));

        var expected = new List<(long, Quality)>();
        foreach (var (temperature, delivered) in new[] { (60.0, false), (105.0, true), (70.0, true), (75.0, false), (5.0, true) })
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            var modified = host.Modify(Set("Temperature", temperature), "alice");
            if (delivered)
            {
                expected.Add((modified.Version, modified.States["Temperature"].Quality));
            }
        }

        var seen = new List<(long, Quality)>();
        while (seen.Count < expected.Count && await banded.MoveNextAsync().AsTask().WaitAsync(Patience))
        {
            seen.Add((banded.Current.Version, banded.Current.StateOf("Temperature").Quality));
        }

        // 60 and 75 are VALID within 100 of the VALID value last delivered; 105 (WARNING), 70 (VALID again) and 5 (ALARM) are quality changes.
        Assert.Equal([(2L, Quality.Warning), (3L, Quality.Valid), (5L, Quality.Alarm)], seen);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public void A_reader_takes_an_explicit_state_as_it_is_and_an_absent_one_as_VALID_at_the_notification_time()
    {
        var alarm = new ValueState { Quality = Quality.Alarm, Reason = "above high alarm limit 120", SourceTime = At(1) };
        var notification = new Notification { Time = At(2), Values = { ["A"] = new Value { DoubleValue = 1 }, ["B"] = new Value { DoubleValue = 2 } }, States = { ["A"] = alarm } };

        Assert.Same(alarm, notification.StateOf("A"));
        Assert.Equal(new ValueState { Quality = Quality.Valid, SourceTime = At(2) }, notification.StateOf("B"));
        Assert.True(notification.StateOf("B").IsImpliedAt(At(2)));
        Assert.False(new ValueState { Quality = Quality.Valid, SourceTime = At(1) }.IsImpliedAt(At(2)));
        Assert.False(new ValueState { Quality = Quality.Valid, Reason = "why", SourceTime = At(2) }.IsImpliedAt(At(2)));
        Assert.False(new ValueState { Quality = Quality.Unspecified, SourceTime = At(2) }.IsImpliedAt(At(2)));
    }

    [Fact]
    public async Task The_bench_models_change_is_smaller_without_its_implied_states()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = new ModelHost("bench", new BenchLikeModel(), new ModelHostOptions(), clock);
        clock.Advance(TimeSpan.FromMilliseconds(1234.5678));
        // As the delivery workloads change it: the double and the long together.
        host.Modify(new ModifyRequest { Model = "bench", Values = { ["Value"] = new Value { DoubleValue = 123456789.0 }, ["Counter"] = new Value { IntValue = 4242 } } }, "bench");
        var change = Assert.Single(await CommittedAsync(host));
        Assert.Empty(change.States);

        var asBefore = change.Clone();
        foreach (var name in asBefore.Values.Keys)
        {
            asBefore.States[name] = new ValueState { Quality = Quality.Valid, SourceTime = asBefore.Time };
        }

        output.WriteLine($"CHANGE of Value and Counter: {change.CalculateSize()} bytes without states, {asBefore.CalculateSize()} bytes with them");
        Assert.True(change.CalculateSize() < asBefore.CalculateSize() - 2 * 8);
    }

    /// <summary>The bench's model (bench/RemoteModel.Bench/BenchModel.cs): a double, a long, a string.</summary>
    private sealed class BenchLikeModel : System.ComponentModel.INotifyPropertyChanged
    {
        private double _value;
        private long _counter;

        public event System.ComponentModel.PropertyChangedEventHandler? PropertyChanged;

        public double Value
        {
            get => _value;
            set
            {
                _value = value;
                PropertyChanged?.Invoke(this, new(nameof(Value)));
            }
        }

        public long Counter
        {
            get => _counter;
            set
            {
                _counter = value;
                PropertyChanged?.Invoke(this, new(nameof(Counter)));
            }
        }

        public string Label { get; set; } = "bench";
    }
}
