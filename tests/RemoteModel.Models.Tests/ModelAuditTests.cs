using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RemoteModel.Models.Runtime;
using RemoteModel.Models.Values;
using Value = RemoteModel.Models.V1.Value;

namespace RemoteModel.Models.Tests;

/// <summary><see cref="ModelAudit"/>: what History keeps of each modify and invocation.</summary>
public sealed class ModelAuditTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 6, 0, 0, TimeSpan.Zero));

    private static Dictionary<string, Value> Speed(int speed) => new() { ["Speed"] = ModelValues.ToValue(speed) };

    [Fact]
    public void An_applied_and_a_refused_change_are_recorded_with_their_time_version_and_status()
    {
        var audit = new ModelAudit("lab/stage", 10, 5, _time, NullLogger.Instance);
        audit.Applied("alice", "modify", Speed(3), 7);
        _time.Advance(TimeSpan.FromSeconds(2));
        audit.Refused("bob", "invoke:Move", Speed(30), 7, new ModelException(ModelErrorReason.OutOfRange, "Speed: 30 is outside 1..10"));

        var (applied, refused) = (audit.Recent(0)[0], audit.Recent(0)[1]);
        Assert.Equal(("lab/stage", "alice", "modify", 7L, 0, ""), (applied.Model, applied.Caller, applied.Action, applied.Version, applied.StatusCode, applied.StatusMessage));
        Assert.Equal(3, applied.Changes["Speed"].IntValue);
        Assert.Equal(("bob", "invoke:Move", 11, "Speed: 30 is outside 1..10"), (refused.Caller, refused.Action, refused.StatusCode, refused.StatusMessage));
        Assert.Equal(_time.GetUtcNow(), refused.Time.ToDateTimeOffset());
        Assert.Equal(TimeSpan.FromSeconds(2), refused.Time.ToDateTimeOffset() - applied.Time.ToDateTimeOffset());
    }

    [Fact]
    public void The_oldest_records_are_dropped_and_a_limit_takes_the_newest()
    {
        var audit = new ModelAudit("lab/stage", 3, 2, _time, NullLogger.Instance);
        for (var v = 1; v <= 5; v++)
        {
            audit.Applied("alice", "modify", Speed(v), v);
        }

        Assert.Equal([4L, 5L], audit.Recent(0).Select(r => r.Version));
        Assert.Equal([3L, 4L, 5L], audit.Recent(10).Select(r => r.Version));
        Assert.Equal([5L], audit.Recent(1).Select(r => r.Version));
        Assert.Equal(ModelErrorReason.InvalidArgument, Assert.Throws<ModelException>(() => audit.Recent(-1)).Reason);
    }
}
