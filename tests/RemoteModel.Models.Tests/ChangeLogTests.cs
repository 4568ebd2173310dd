using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Time.Testing;
using RemoteModel.Models.Runtime;
using RemoteModel.Models.V1;

namespace RemoteModel.Models.Tests;

/// <summary><see cref="ChangeLog"/>: versions, times and the bounded history a resume replays.</summary>
public sealed class ChangeLogTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 6, 0, 0, TimeSpan.Zero));

    private Timestamp Now => Timestamp.FromDateTimeOffset(_time.GetUtcNow());

    private static Notification Change(string cause) => new() { Kind = Notification.Types.Kind.Change, Cause = cause };

    [Fact]
    public void Each_commit_takes_the_next_version_and_its_time()
    {
        var start = Now;
        var log = new ChangeLog(4, start);
        Assert.Equal((0L, start), (log.Version, log.ChangedAt));

        _time.Advance(TimeSpan.FromSeconds(3));
        var first = Change("a");
        Assert.Equal(1, log.Commit(first, Now));
        Assert.Equal((1L, Now), (first.Version, first.Time));
        Assert.Equal((1L, Now), (log.Version, log.ChangedAt));
        Assert.Equal(2, log.Commit(Change("b"), Now));
    }

    [Fact]
    public void The_changes_after_a_version_come_back_exactly_and_in_order()
    {
        var log = new ChangeLog(8, Now);
        foreach (var cause in new[] { "a", "b", "c", "d", "e" })
        {
            log.Commit(Change(cause), Now);
        }

        Assert.Equal(["c", "d", "e"], log.After(2)!.Select(c => c.Cause));
        Assert.Equal([3L, 4L, 5L], log.After(2)!.Select(c => c.Version));
        Assert.Equal(["a", "b", "c", "d", "e"], log.After(0)!.Select(c => c.Cause));
        Assert.Empty(log.After(5)!);
    }

    [Fact]
    public void A_version_the_log_no_longer_reaches_back_to_or_never_reached_gives_nothing_to_replay()
    {
        var log = new ChangeLog(3, Now);
        for (var i = 1; i <= 7; i++)
        {
            log.Commit(Change($"c{i}"), Now);
        }

        // Versions 5, 6, 7 are kept: a viewer at 4 can resume, one at 3 missed version 4 for good.
        Assert.Equal(5, log.OldestKept);
        Assert.Equal(["c5", "c6", "c7"], log.After(4)!.Select(c => c.Cause));
        Assert.Null(log.After(3));
        Assert.Null(log.After(0));
        Assert.Null(log.After(8));
        Assert.Null(log.After(-1));
    }

    [Fact]
    public void The_capacity_comes_from_the_Models_options_with_a_default_of_1024_and_must_be_positive()
    {
        Assert.Equal(1024, new ModelHostOptions().ChangeLogCapacity);
        Assert.Contains("ChangeLogCapacity", new ModelHostOptions { ChangeLogCapacity = 0 }.Problem());
        Assert.Throws<ArgumentException>(() => new ModelHost("lab/stage", new Stage(), new ModelHostOptions { ChangeLogCapacity = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChangeLog(0, Now));
    }
}
