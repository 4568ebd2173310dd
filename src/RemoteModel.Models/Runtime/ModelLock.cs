using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using RemoteModel.Models.V1;

namespace RemoteModel.Models.Runtime;

/// <summary>
/// A model's exclusive lock (Tango's device lock, OPC UA's LockingServices): free, held by a lease
/// its holder renews (it lapses when not renewed in time), or held by a stream for as long as the
/// stream is open. A holder is a caller identity, as the authorizer names it; while someone holds
/// the lock, every other caller's change is refused with <see cref="Refusal"/>. Every taking,
/// release, break and lapse is handed to <c>changed</c>, for viewers and the audit.
/// </summary>
/// <remarks>
/// Not thread-safe: the host calls it under its change lock, so that a change and a lock taken
/// concurrently are ordered. The lease timer only calls <c>leaseDue</c>, from a timer thread; the
/// host then takes its change lock and calls <see cref="Lapse"/>.
/// </remarks>
internal sealed class ModelLock : IDisposable
{
    private readonly string _model;
    private readonly TimeProvider _time;
    private readonly Action<LockChange> _changed;
    private readonly ITimer _leaseTimer;
    private Holding? _held;

    /// <param name="model">The model's name, for refusals.</param>
    /// <param name="time">The clock of leases.</param>
    /// <param name="changed">Told of every change of holder, synchronously.</param>
    /// <param name="leaseDue">Called from a timer thread when a lease may have lapsed.</param>
    public ModelLock(string model, TimeProvider time, Action<LockChange> changed, Action leaseDue)
    {
        _model = model;
        _time = time;
        _changed = changed;
        _leaseTimer = time.CreateTimer(_ => leaseDue(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The lock as held now; null when free (a lapsed lease is free, told or not).</summary>
    public LockInfo? Current => Live()?.Describe();

    /// <summary>Why <paramref name="caller"/> may not change the model now; null when it may (the lock is free or theirs).</summary>
    public string? Refusal(string caller) =>
        Live() is { } held && held.Holder != caller ? $"model '{_model}' is locked by {held.Holder} since {Format(held.Since)}{held.Terms}" : null;

    /// <summary>
    /// Takes the lock as a lease of <paramref name="validity"/>, or renews the caller's lease for
    /// that long from now. A caller holding it by a stream keeps it so (the answer says so: no expiry).
    /// </summary>
    public LockAnswer Lease(string caller, TimeSpan validity)
    {
        Lapse();
        var now = _time.GetUtcNow();
        switch (_held)
        {
            case null:
                _held = new Holding(caller, now, now + validity, null);
                _leaseTimer.Change(validity, Timeout.InfiniteTimeSpan);
                _changed(new LockChange(LockChangeKind.Taken, _held.Describe(), caller, $"as a lease of {Seconds(validity)}"));
                return new LockAnswer(_held.Describe(), null);
            case { Stream: null } own when own.Holder == caller:
                own.Expires = now + validity;
                _leaseTimer.Change(validity, Timeout.InfiniteTimeSpan);
                return new LockAnswer(own.Describe(), null);
            case { } own when own.Holder == caller:
                return new LockAnswer(own.Describe(), null);
            default:
                return new LockAnswer(null, Refusal(caller));
        }
    }

    /// <summary>
    /// Takes the lock for as long as the returned hold is not ended (<see cref="EndHold"/>); a lease
    /// the caller holds becomes this hold. Refused while another holds it, and while the caller
    /// holds it by another stream (which would release it when it ended).
    /// </summary>
    public (LockHold? Hold, string? Refusal) Hold(string caller)
    {
        Lapse();
        if (_held is { } held && (held.Holder != caller || held.Stream is not null))
        {
            return (null, held.Holder == caller
                ? $"model '{_model}' is locked by you ({caller}) already, since {Format(held.Since)}, through another HoldLock stream"
                : Refusal(caller));
        }

        _leaseTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _held = new Holding(caller, _held?.Since ?? _time.GetUtcNow(), null, null);
        var hold = new LockHold(_held.Describe());
        _held.Stream = hold;
        _changed(new LockChange(LockChangeKind.Taken, hold.Lock, caller, "for as long as its HoldLock stream is open"));
        return (hold, null);
    }

    /// <summary>Releases the caller's own lock; answers the lock released (null when none was held), or who holds it instead.</summary>
    public LockAnswer Release(string caller)
    {
        Lapse();
        if (_held is not { } held)
        {
            return new LockAnswer(null, null);
        }

        if (held.Holder != caller)
        {
            return new LockAnswer(null, $"{Refusal(caller)}; only its holder can release it, or a key with scope admin with force");
        }

        Free(LockChangeKind.Released, caller, held.Stream is null ? "released" : "released; its HoldLock stream ends");
        return new LockAnswer(held.Describe(), null);
    }

    /// <summary>Breaks whoever's lock (an admin's force): its stream, if any, ends as broken. Answers the lock broken, or null when none was held.</summary>
    public LockInfo? Break(string by)
    {
        Lapse();
        if (_held is not { } held)
        {
            return null;
        }

        if (held.Holder == by)
        {
            return Release(by).Lock;
        }

        Free(LockChangeKind.Broken, by, $"broken by {by}");
        return held.Describe();
    }

    /// <summary>Releases the lock if <paramref name="hold"/> holds it still: its stream ended, however it ended.</summary>
    public void EndHold(LockHold hold)
    {
        if (_held is { } held && held.Stream == hold)
        {
            Free(LockChangeKind.Released, held.Holder, "its HoldLock stream ended");
        }
    }

    /// <summary>Frees a lease whose time is up.</summary>
    public void Lapse()
    {
        if (_held is { Expires: { } expires } held && _time.GetUtcNow() >= expires)
        {
            Free(LockChangeKind.Lapsed, held.Holder, $"its lease lapsed at {Format(expires)} without renewal");
        }
    }

    /// <summary>Stops the lease timer and ends a stream hold (the model is no longer hosted); nobody is told.</summary>
    public void Dispose()
    {
        _leaseTimer.Dispose();
        _held?.Stream?.End(null);
        _held = null;
    }

    /// <summary>How times appear in messages: <c>2026-12-07 05:30:00 UTC</c>.</summary>
    internal static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";

    private Holding? Live() => _held is { Expires: { } expires } && _time.GetUtcNow() >= expires ? null : _held;

    private void Free(LockChangeKind kind, string by, string note)
    {
        var held = _held!;
        _held = null;
        _leaseTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        held.Stream?.End(kind == LockChangeKind.Broken ? by : null);
        _changed(new LockChange(kind, held.Describe(), by, note));
    }

    private sealed class Holding(string holder, DateTimeOffset since, DateTimeOffset? expires, LockHold? stream)
    {
        public string Holder { get; } = holder;

        public DateTimeOffset Since { get; } = since;

        public DateTimeOffset? Expires { get; set; } = expires;

        public LockHold? Stream { get; set; } = stream;

        public LockInfo Describe() => new()
        {
            Holder = Holder,
            Since = Timestamp.FromDateTimeOffset(Since),
            Expires = Expires is { } expires ? Timestamp.FromDateTimeOffset(expires) : null,
        };

        public string Terms => Expires is { } expires ? $" (a lease until {Format(expires)})" : " (for as long as its HoldLock stream is open)";
    }
}
