using Microsoft.Extensions.Time.Testing;
using RemoteModel.Models.Runtime;

namespace RemoteModel.Models.Tests;

/// <summary>A model's lock alone, on a fake clock: leases that lapse and renew, stream holds, release, break, and what a refused caller is told.</summary>
public sealed class ModelLockTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 5, 30, 0, TimeSpan.Zero);
    private static readonly TimeSpan Validity = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _clock = new(Start);
    private readonly List<LockChange> _changes = [];
    private readonly ModelLock _lock;

    public ModelLockTests()
    {
        ModelLock? table = null;
        table = new ModelLock("stage", _clock, _changes.Add, () => table!.Lapse());
        _lock = table;
    }

    public void Dispose() => _lock.Dispose();

    [Fact]
    public void A_lease_is_taken_told_and_refuses_everyone_else_naming_the_holder_and_since_when()
    {
        var answer = _lock.Lease("alice", Validity);

        Assert.Null(answer.Refusal);
        Assert.Equal("alice", answer.Lock!.Holder);
        Assert.Equal(Start, answer.Lock.Since.ToDateTimeOffset());
        Assert.Equal(Start + Validity, answer.Lock.Expires.ToDateTimeOffset());
        var taken = Assert.Single(_changes);
        Assert.Equal(LockChangeKind.Taken, taken.Kind);
        Assert.Equal("alice", taken.By);
        Assert.Equal("as a lease of 10 s", taken.Note);

        Assert.Null(_lock.Refusal("alice"));
        Assert.Equal("model 'stage' is locked by alice since 2026-12-07 05:30:00 UTC (a lease until 2026-12-07 05:30:10 UTC)", _lock.Refusal("bob"));
        var refused = _lock.Lease("bob", Validity);
        Assert.Null(refused.Lock);
        Assert.Equal(_lock.Refusal("bob"), refused.Refusal);
        Assert.Single(_changes);
    }

    [Fact]
    public void A_lease_lapses_at_its_validity_and_viewers_are_told_by_the_timer()
    {
        _lock.Lease("alice", Validity);

        _clock.Advance(Validity - TimeSpan.FromMilliseconds(1));
        Assert.NotNull(_lock.Current);
        Assert.NotNull(_lock.Refusal("bob"));
        Assert.Single(_changes);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(_lock.Current);
        Assert.Null(_lock.Refusal("bob"));
        var lapsed = _changes[^1];
        Assert.Equal(LockChangeKind.Lapsed, lapsed.Kind);
        Assert.Equal("alice", lapsed.Lock.Holder);
        Assert.Equal("its lease lapsed at 2026-12-07 05:30:10 UTC without renewal", lapsed.Note);
        Assert.Null(_lock.Lease("bob", Validity).Refusal);
    }

    [Fact]
    public void Renewing_moves_the_expiry_from_now_and_is_no_news()
    {
        _lock.Lease("alice", Validity);
        _clock.Advance(TimeSpan.FromSeconds(8));

        var renewed = _lock.Lease("alice", TimeSpan.FromSeconds(5));

        Assert.Equal(Start, renewed.Lock!.Since.ToDateTimeOffset());
        Assert.Equal(Start + TimeSpan.FromSeconds(13), renewed.Lock.Expires.ToDateTimeOffset());
        Assert.Single(_changes);
        _clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("alice", _lock.Current?.Holder);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(_lock.Current);
        Assert.Equal(LockChangeKind.Lapsed, _changes[^1].Kind);
    }

    [Fact]
    public void A_lapsed_lease_that_the_timer_has_not_reported_yet_is_reported_before_the_next_taker()
    {
        // A lease read as lapsed before its timer ran (a clock that jumped) is told before anyone takes the lock.
        var lapsing = new FakeTimeProvider(Start);
        var changes = new List<LockChange>();
        using var table = new ModelLock("stage", lapsing, changes.Add, () => { });
        table.Lease("alice", Validity);
        lapsing.Advance(Validity);

        Assert.Null(table.Lease("bob", Validity).Refusal);

        Assert.Equal([LockChangeKind.Taken, LockChangeKind.Lapsed, LockChangeKind.Taken], changes.Select(c => c.Kind));
        Assert.Equal(["alice", "alice", "bob"], changes.Select(c => c.Lock.Holder));
    }

    [Fact]
    public async Task A_stream_hold_has_no_expiry_and_is_released_when_its_stream_ends()
    {
        var (hold, refusal) = _lock.Hold("alice");

        Assert.Null(refusal);
        Assert.Null(hold!.Lock.Expires);
        Assert.Equal("for as long as its HoldLock stream is open", _changes.Single().Note);
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal("model 'stage' is locked by alice since 2026-12-07 05:30:00 UTC (for as long as its HoldLock stream is open)", _lock.Refusal("bob"));
        Assert.False(hold.Ended.IsCompleted);

        _lock.EndHold(hold);

        Assert.Null(_lock.Current);
        var released = _changes[^1];
        Assert.Equal(LockChangeKind.Released, released.Kind);
        Assert.Equal("its HoldLock stream ended", released.Note);
        _lock.EndHold(hold);
        Assert.Equal(2, _changes.Count);
        await hold.Ended.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Null(hold.BrokenBy);
    }

    [Fact]
    public void A_second_stream_of_the_same_caller_is_refused_so_that_ending_one_does_not_release_the_other()
    {
        var (first, _) = _lock.Hold("alice");

        var (second, refusal) = _lock.Hold("alice");

        Assert.Null(second);
        Assert.Equal("model 'stage' is locked by you (alice) already, since 2026-12-07 05:30:00 UTC, through another HoldLock stream", refusal);
        Assert.NotNull(_lock.Hold("bob").Refusal);
        Assert.Equal(first!.Lock, _lock.Current);
        Assert.Single(_changes);
    }

    [Fact]
    public void A_lease_becomes_a_stream_hold_of_the_same_caller_and_then_never_lapses()
    {
        _lock.Lease("alice", Validity);
        _clock.Advance(TimeSpan.FromSeconds(5));

        var (hold, _) = _lock.Hold("alice");
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(Start, hold!.Lock.Since.ToDateTimeOffset());
        Assert.Equal("alice", _lock.Current?.Holder);
        Assert.Null(_lock.Current?.Expires);
        Assert.Equal([LockChangeKind.Taken, LockChangeKind.Taken], _changes.Select(c => c.Kind));
        Assert.Null(_lock.Lease("alice", Validity).Lock!.Expires);
    }

    [Fact]
    public void Only_the_holder_releases_and_anyone_else_is_told_who_holds_it()
    {
        _lock.Lease("alice", Validity);

        var refused = _lock.Release("bob");
        Assert.Equal("model 'stage' is locked by alice since 2026-12-07 05:30:00 UTC (a lease until 2026-12-07 05:30:10 UTC); "
            + "only its holder can release it, or a key with scope admin with force", refused.Refusal);
        Assert.Equal("alice", _lock.Current?.Holder);

        var released = _lock.Release("alice");
        Assert.Equal("alice", released.Lock?.Holder);
        Assert.Null(_lock.Current);
        Assert.Equal(LockChangeKind.Released, _changes[^1].Kind);
        Assert.Equal(new LockAnswer(null, null), _lock.Release("alice"));
        _clock.Advance(Validity);
        Assert.Equal(2, _changes.Count);
    }

    [Fact]
    public async Task Breaking_a_stream_hold_ends_it_as_broken_and_tells_who_broke_it()
    {
        var (hold, _) = _lock.Hold("alice");

        var broken = _lock.Break("root [key admin]");

        Assert.Equal("alice", broken?.Holder);
        Assert.Null(_lock.Current);
        var change = _changes[^1];
        Assert.Equal(LockChangeKind.Broken, change.Kind);
        Assert.Equal("root [key admin]", change.By);
        Assert.Equal("broken by root [key admin]", change.Note);
        await hold!.Ended.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("root [key admin]", hold.BrokenBy);
        _lock.EndHold(hold);
        Assert.Equal(2, _changes.Count);
        Assert.Null(_lock.Break("root [key admin]"));
    }

    [Fact]
    public async Task Releasing_ones_own_stream_hold_ends_the_stream_not_as_broken()
    {
        var (hold, _) = _lock.Hold("alice");

        Assert.Equal("alice", _lock.Break("alice")?.Holder);

        await hold!.Ended.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Null(hold.BrokenBy);
        Assert.Equal(LockChangeKind.Released, _changes[^1].Kind);
        Assert.Equal("released; its HoldLock stream ends", _changes[^1].Note);
    }

    [Fact]
    public async Task Disposing_ends_a_stream_hold_and_stops_the_lease_timer_silently()
    {
        var (hold, _) = _lock.Hold("alice");

        _lock.Dispose();

        await hold!.Ended.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Single(_changes);
    }
}
