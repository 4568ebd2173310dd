using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;
using RemoteModel.Viewer;
using Spectre.Console;
using Value = RemoteModel.Models.V1.Value;

namespace RemoteModel.Controller.Tests;

/// <summary>The viewer's live table, rendered in-process to a console of a fixed width without a terminal.</summary>
public sealed class ViewerTableTests
{
    private const string Endpoint = "http://127.0.0.1:5000";
    private static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, 600, TimeSpan.Zero);

    [Fact]
    public void A_row_a_property_with_its_unit_and_who_changed_it_last_in_schema_order()
    {
        var state = new ModelTableState("ticker");
        state.Apply(Connected(version: 7, ("Price", new Value { DoubleValue = 101.5 }), ("Symbol", new Value { StringValue = "RMDL" })));
        state.Describe(new ModelDescription { Properties = { new PropertyDescription { Name = "Symbol" }, new PropertyDescription { Name = "Price", Unit = "USD" } } });
        state.Apply(new FollowEvent(FollowEventKind.Notification, Endpoint, new Notification
        {
            Kind = Notification.Types.Kind.Change, Version = 8, Time = Timestamp.FromDateTimeOffset(Start.AddSeconds(1)),
            ChangedBy = "alice", Cause = "modify", Values = { ["Price"] = new Value { DoubleValue = 102.25 } },
        }));

        var lines = Render(state);

        Assert.Equal($"ticker at {Endpoint}  connected  v8  as wall", lines[0].TrimEnd());
        Assert.Equal(["Property", "Value", "Unit", "Version", "Time", "By"], Cells(lines[2]));
        var rows = lines.Where(l => l.StartsWith('│')).Skip(1).Select(Cells).ToList();
        Assert.Equal(["Symbol", "\"RMDL\"", "", "v7", Clock(Start), "(snapshot)"], rows[0]);
        Assert.Equal(["Price", "102.25", "USD", "v8", Clock(Start.AddSeconds(1)), "alice (modify)"], rows[1]);
        Assert.Equal(2, rows.Count);
    }

    [Fact]
    public void The_header_says_who_holds_the_lock_from_the_snapshot_and_each_lock_notification_and_the_line_mode_too()
    {
        var held = new LockInfo { Holder = "alice [key ops]", Since = Timestamp.FromDateTimeOffset(Start) };
        var state = new ModelTableState("ticker");
        var snapshot = Connected(version: 3, ("Price", new Value { DoubleValue = 1 }));
        snapshot.Notification!.Lock = held;
        state.Apply(snapshot);
        Assert.Equal($"ticker at {Endpoint}  connected  v3  as wall  locked by alice [key ops] since 2026-01-02 03:04:05 UTC", Render(state)[0].TrimEnd());

        var released = new Notification { Kind = Notification.Types.Kind.Lock, Version = 3, Time = Timestamp.FromDateTimeOffset(Start), ChangedBy = "root [key root]", Cause = "break-lock" };
        state.Apply(new FollowEvent(FollowEventKind.Notification, Endpoint, released));
        Assert.Equal($"ticker at {Endpoint}  connected  v3  as wall", Render(state)[0].TrimEnd());
        Assert.Equal(["Price", "1", "", "v3", Clock(Start), "(snapshot)"], Cells(Render(state).First(l => l.StartsWith("│ Price", StringComparison.Ordinal))));

        var time = Start.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
        Assert.Equal($"{time}  v3  LOCK    unlocked  by root [key root] (break-lock)", NotificationLine.Format(released));
        released.Lock = new LockInfo(held) { Expires = Timestamp.FromDateTimeOffset(Start.AddSeconds(10)) };
        released.Cause = "lock";
        Assert.Equal($"{time}  v3  LOCK    locked by alice [key ops] since 2026-01-02 03:04:05 UTC (lease until 03:04:15 UTC)  by root [key root] (lock)", NotificationLine.Format(released));
    }

    [Fact]
    public void A_long_value_or_caller_ends_in_an_ellipsis_on_a_narrow_terminal_rather_than_wrapping()
    {
        var state = new ModelTableState("ticker");
        state.Apply(Connected(version: 1, ("Label", new Value { StringValue = "a label far longer than a narrow terminal gives it room" }), ("Price", new Value { DoubleValue = 1 })));
        state.Apply(new FollowEvent(FollowEventKind.Notification, Endpoint, new Notification
        {
            Kind = Notification.Types.Kind.Change, Version = 2, Time = Timestamp.FromDateTimeOffset(Start),
            ChangedBy = "operator-with-a-long-name@lab-workstation-07 [key operations-team]", Cause = "modify", Values = { ["Price"] = new Value { DoubleValue = 2 } },
        }));

        var lines = Render(state, width: 80);

        var rows = lines.Where(l => l.StartsWith('│')).Skip(1).Select(Cells).ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= 80, l));
        Assert.Equal(["Label", "", "v1", Clock(Start), "(snapshot)"], rows[0].Where((_, i) => i != 1));
        Assert.EndsWith("…", rows[0][1], StringComparison.Ordinal);
        Assert.StartsWith("operator-with", rows[1][5], StringComparison.Ordinal);
        Assert.EndsWith("…", rows[1][5], StringComparison.Ordinal);
        Assert.Equal(["Price", "2", "", "v2", Clock(Start)], rows[1].Take(5));
    }

    [Fact]
    public void The_header_says_when_the_model_is_lost_and_when_it_is_back_resynchronised()
    {
        var state = new ModelTableState("ticker");
        state.Apply(Connected(version: 40, ("Price", new Value { DoubleValue = 99 })));
        state.Apply(new FollowEvent(FollowEventKind.Lost, Endpoint, null, "Unavailable: the model server went away", TimeSpan.FromMilliseconds(400)));

        Assert.Equal($"ticker at {Endpoint}  lost (Unavailable: the model server went away); reconnecting in 0.4 s  v40  as wall", Render(state)[0].TrimEnd());

        // A restarted server counts versions afresh: every value is marked with the new snapshot.
        var resync = Connected(version: 2, ("Price", new Value { DoubleValue = 99 }));
        resync.Notification!.Kind = Notification.Types.Kind.Resync;
        resync.Notification.ResyncReason = Notification.Types.ResyncReason.EpochChanged;
        resync.Notification.Epoch = "e2";
        state.Apply(resync with { Start = SubscriptionStart.Resynchronised, ResumeAfter = ("e1", 40) });
        var lines = Render(state);
        Assert.Equal($"ticker at {Endpoint}  reconnected: resynchronised at v2: the model server restarted (epoch e2, was e1)  v2  as wall", lines[0].TrimEnd());
        Assert.Equal(["Price", "99", "", "v2", Clock(Start), "(snapshot)"], lines.Where(l => l.StartsWith('│')).Skip(1).Select(Cells).Single());
    }

    [Fact]
    public void A_reconnection_that_resumed_says_so_and_keeps_what_was_shown_until_the_missed_changes_come()
    {
        var state = new ModelTableState("ticker");
        state.Apply(Connected(version: 40, ("Price", new Value { DoubleValue = 99 })));
        state.Apply(new FollowEvent(FollowEventKind.Lost, Endpoint, null, "Unavailable: connection reset", TimeSpan.FromMilliseconds(200)));

        state.Apply(new FollowEvent(FollowEventKind.Connected, Endpoint, new Notification { Kind = Notification.Types.Kind.Resumed, Version = 40, Epoch = "e1", ViewerName = "wall" })
        {
            Start = SubscriptionStart.Resumed, ResumeAfter = ("e1", 40),
        });
        state.Apply(new FollowEvent(FollowEventKind.Notification, Endpoint, new Notification
        {
            Kind = Notification.Types.Kind.Change, Version = 41, Time = Timestamp.FromDateTimeOffset(Start), ChangedBy = "model", Cause = "model",
            Values = { ["Price"] = new Value { DoubleValue = 100 } },
        }));

        var lines = Render(state);
        Assert.Equal($"ticker at {Endpoint}  reconnected: resumed after v40: the missed changes follow  v41  as wall", lines[0].TrimEnd());
        Assert.Equal(["Price", "100", "", "v41", Clock(Start), "model (model)"], lines.Where(l => l.StartsWith('│')).Skip(1).Select(Cells).Single());
    }

    [Fact]
    public void A_value_that_is_not_valid_is_marked_and_coloured_by_its_quality()
    {
        var state = new ModelTableState("oven");
        var snapshot = Connected(version: 3, ("Temperature", new Value { DoubleValue = 121.5 }), ("Pressure", new Value { DoubleValue = 1 }), ("Door", new Value { StringValue = "shut" }));
        snapshot.Notification!.States["Temperature"] = new ValueState { Quality = Quality.Alarm, Reason = "above high alarm limit 120" };
        snapshot.Notification.States["Pressure"] = new ValueState { Quality = Quality.Invalid, Reason = "sensor link lost" };
        // Door has no state: VALID, as the server leaves it out.
        state.Apply(snapshot);

        var rows = Render(state).Where(l => l.StartsWith('│')).Skip(1).Select(Cells).ToList();
        Assert.Equal(
            [["Door", "\"shut\""], ["Pressure", "1 [INVALID]"], ["Temperature", "121.5 [ALARM]"]],
            rows.Select(r => r.Take(2).ToList()));

        var coloured = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes, ColorSystem = ColorSystemSupport.Standard, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(coloured),
        });
        console.Profile.Width = 140;
        console.Write(ModelTableView.Render(state, 140));
        Assert.Matches("\u001b\\[[0-9;]*m121\\.5 \\[ALARM\\]", coloured.ToString());
        Assert.DoesNotMatch("\u001b\\[[0-9;]*m\"shut\"", coloured.ToString());

        // A change back inside the limits (VALID: no state on the wire) clears the mark.
        state.Apply(new FollowEvent(FollowEventKind.Notification, Endpoint, new Notification
        {
            Kind = Notification.Types.Kind.Change, Version = 4, Values = { ["Temperature"] = new Value { DoubleValue = 80 } },
        }));
        Assert.Contains(Render(state).Where(l => l.StartsWith('│')).Select(Cells), r => r is ["Temperature", "80", ..]);
    }

    [Fact]
    public void A_line_marks_each_value_that_is_not_valid_with_its_quality_and_why_and_a_resync_says_why()
    {
        var change = new Notification
        {
            Kind = Notification.Types.Kind.Change, Version = 9, ChangedBy = "model", Cause = "model",
            Values = { ["Pressure"] = new Value { DoubleValue = 1 }, ["Temperature"] = new Value { DoubleValue = 121.5 } },
            States = { ["Temperature"] = new ValueState { Quality = Quality.Alarm, Reason = "above high alarm limit 120" } },
        };
        Assert.EndsWith("v9  CHANGE  Pressure=1 Temperature=121.5 [ALARM: above high alarm limit 120]  by model (model)", NotificationLine.Format(change), StringComparison.Ordinal);

        var resync = new Notification { Kind = Notification.Types.Kind.Resync, Version = 0, Epoch = "e2", ResyncReason = Notification.Types.ResyncReason.EpochChanged };
        Assert.EndsWith("v0  RESYNC (epoch changed)  ", NotificationLine.Format(resync), StringComparison.Ordinal);
    }

    [Fact]
    public void A_resync_marks_only_the_values_that_differ()
    {
        var state = new ModelTableState("ticker");
        state.Apply(Connected(version: 3, ("Price", new Value { DoubleValue = 1 }), ("Symbol", new Value { StringValue = "A" })));
        state.Apply(new FollowEvent(FollowEventKind.Notification, Endpoint, new Notification
        {
            Kind = Notification.Types.Kind.Resync, Version = 9, Time = Timestamp.FromDateTimeOffset(Start.AddSeconds(5)),
            Values = { ["Price"] = new Value { DoubleValue = 2 }, ["Symbol"] = new Value { StringValue = "A" } },
        }));

        var rows = Render(state).Where(l => l.StartsWith('│')).Skip(1).Select(Cells).ToList();

        Assert.Equal(["Price", "2", "", "v9", Clock(Start.AddSeconds(5)), "(resync)"], rows[0]);
        Assert.Equal(["Symbol", "\"A\"", "", "v3", Clock(Start), "(snapshot)"], rows[1]);
    }

    [Fact]
    public async Task Without_a_terminal_the_live_table_is_written_out_and_ends_with_the_latest_values()
    {
        var output = new StringWriter();
        var table = new LiveTable(Console(output), "ticker", maxRefreshHz: 100, TimeProvider.System);

        await table.RunAsync(Events(), CancellationToken.None);

        var last = output.ToString().Split('\n').Last(l => l.Contains("Ticks", StringComparison.Ordinal));
        Assert.Equal(["Ticks", "50", "", "v50", Clock(Start), "model (model)"], Cells(last));

        static async IAsyncEnumerable<FollowEvent> Events()
        {
            yield return Connected(version: 0, ("Ticks", new Value { IntValue = 0 }));
            for (var tick = 1; tick <= 50; tick++)
            {
                await Task.Yield();
                yield return new FollowEvent(FollowEventKind.Notification, Endpoint, new Notification
                {
                    Kind = Notification.Types.Kind.Change, Version = tick, Time = Timestamp.FromDateTimeOffset(Start),
                    ChangedBy = "model", Cause = "model", Values = { ["Ticks"] = new Value { IntValue = tick } },
                });
            }
        }
    }

    private static FollowEvent Connected(long version, params (string Name, Value Value)[] values)
    {
        var snapshot = new Notification
        {
            Kind = Notification.Types.Kind.Snapshot, Version = version, Time = Timestamp.FromDateTimeOffset(Start), ViewerName = "wall",
        };
        foreach (var (name, value) in values)
        {
            snapshot.Values[name] = value;
        }

        return new FollowEvent(FollowEventKind.Connected, Endpoint, snapshot);
    }

    private static IAnsiConsole Console(TextWriter output, int width = 140)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = width;
        return console;
    }

    private static List<string> Render(ModelTableState state, int width = 140)
    {
        var output = new StringWriter();
        Console(output, width).Write(ModelTableView.Render(state, width));
        return [.. output.ToString().Split('\n')];
    }

    /// <summary>The cells of a table line: <c>│ a │ b │</c> is [a, b].</summary>
    private static List<string> Cells(string line) => [.. line.Trim().Trim('│').Split('│').Select(c => c.Trim())];

    private static string Clock(DateTimeOffset time) => time.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
}
