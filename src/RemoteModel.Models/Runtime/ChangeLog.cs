using Google.Protobuf.WellKnownTypes;
using RemoteModel.Models.V1;

namespace RemoteModel.Models.Runtime;

/// <summary>
/// A model's version and the bounded log of its committed changes, newest last: each commit takes the
/// next version and the current time, and the last <c>capacity</c> changes are kept so a viewer that
/// resumes from a version it saw can be sent exactly the changes after it. A relay's log mirrors its
/// source's instead: it keeps each change under the source's version (<see cref="Mirror"/>) and starts
/// again from a snapshot (<see cref="Restart"/>). Written only under the host's change lock;
/// <see cref="Version"/> may be read from anywhere.
/// </summary>
internal sealed class ChangeLog
{
    private readonly Notification[] _changes;
    private long _version;

    // The oldest version ever kept since the log (re)started: nothing before it can be replayed.
    private long _first = 1;

    public ChangeLog(int capacity, Timestamp start)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _changes = new Notification[capacity];
        ChangedAt = start;
    }

    /// <summary>How many changes have been committed.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>When the newest change was committed (when the model was hosted, before any).</summary>
    public Timestamp ChangedAt { get; private set; }

    /// <summary>The oldest version the log still holds (the next version when it holds none).</summary>
    public long OldestKept => Math.Max(_first, Version - _changes.Length + 1);

    /// <summary>Commits <paramref name="change"/>: stamps it with the next version and <paramref name="time"/>, and keeps it, dropping the oldest kept when full.</summary>
    public long Commit(Notification change, Timestamp time)
    {
        var version = _version + 1;
        change.Version = version;
        change.Time = time;
        ChangedAt = time;
        _changes[version % _changes.Length] = change;
        Interlocked.Exchange(ref _version, version);
        return version;
    }

    /// <summary>
    /// Keeps a change another log committed (a relay's source), under its own version and time: the
    /// next version, or else the log starts again after it, since the changes between are unknown.
    /// </summary>
    public void Mirror(Notification change)
    {
        if (change.Version != _version + 1)
        {
            _first = change.Version;
        }

        ChangedAt = change.Time ?? ChangedAt;
        _changes[change.Version % _changes.Length] = change;
        Interlocked.Exchange(ref _version, change.Version);
    }

    /// <summary>Starts the log again at <paramref name="version"/> (a relay's mirror was replaced by a snapshot): no change up to it can be replayed.</summary>
    public void Restart(long version, Timestamp time)
    {
        _first = version + 1;
        ChangedAt = time;
        Interlocked.Exchange(ref _version, version);
    }

    /// <summary>
    /// The changes after <paramref name="version"/>, oldest first (none when it is the current version),
    /// or null when the log no longer holds them all or <paramref name="version"/> was never reached.
    /// </summary>
    public IReadOnlyList<Notification>? After(long version)
    {
        var current = Version;
        if (version < 0 || version > current || version + 1 < OldestKept)
        {
            return null;
        }

        var after = new Notification[current - version];
        for (var v = version + 1; v <= current; v++)
        {
            after[v - version - 1] = _changes[v % _changes.Length];
        }

        return after;
    }
}
