using Google.Protobuf.WellKnownTypes;
using RemoteModel.Models.V1;
using Value = RemoteModel.Models.V1.Value;

namespace RemoteModel.Models.Runtime;

/// <summary>A property's quality changed: an alarm raised, cleared or changed.</summary>
/// <param name="Property">The property.</param>
/// <param name="From">Its quality before.</param>
/// <param name="State">Its state now.</param>
/// <param name="Value">Its value now.</param>
/// <param name="Limit">The limit crossed (or crossed back), NaN when the model gave the quality or none applies.</param>
internal sealed record QualityChange(string Property, Quality From, ValueState State, Value Value, double Limit)
{
    /// <summary>Raised when the quality is worse than VALID now, cleared when it is back to VALID.</summary>
    public bool Raised => State.Quality != Quality.Valid;
}

/// <summary>
/// Each property's quality and source time, as of its last committed change: the quality the model
/// gave it (<see cref="PropertyStateChangedEventArgs"/>) or else the one its limits give its value.
/// Written on the host's change path only (under its change lock), like the version.
/// </summary>
internal sealed class PropertyStates
{
    private readonly Dictionary<string, Entry> _entries;

    /// <param name="limits">Each property's limits.</param>
    /// <param name="start">When the model was hosted: the source time of values that have not changed since.</param>
    public PropertyStates(IEnumerable<KeyValuePair<string, AlarmLimits>> limits, Timestamp start) =>
        _entries = limits.ToDictionary(l => l.Key, l => new Entry(l.Value, start), StringComparer.Ordinal);

    /// <summary>
    /// Takes <paramref name="value"/>, committed at <paramref name="changedAt"/>, with what the model
    /// said about it (<paramref name="report"/>, null for a plain change): its state now, and the
    /// quality change when there was one. The source time moves when the value did, or the model
    /// reported: a write of the same value is a change, but not one at the source.
    /// </summary>
    public ValueState Take(string property, Value value, Timestamp changedAt, PropertyStateChangedEventArgs? report, out QualityChange? change)
    {
        var entry = _entries[property];
        var first = entry.Last is null;
        var moved = first || !value.Equals(entry.Last);
        if (report is not null)
        {
            entry.Reported = report.Quality;
            entry.ReportedReason = report.Reason;
        }

        var verdict = entry.Limits.Evaluate(value, entry.Computed);
        entry.Computed = verdict.Quality;
        var sourceTime = report?.SourceTime is { } reported ? Timestamp.FromDateTimeOffset(reported) : moved ? changedAt : entry.State.SourceTime;
        var state = entry.StateOf(verdict, sourceTime);
        var before = first ? Quality.Valid : entry.State.Quality;
        change = state.Quality != before || (state.Quality != Quality.Valid && state.Reason != entry.State.Reason && !first)
            ? new QualityChange(property, before, state, value, entry.Reported == ReportedQuality.FromLimits ? verdict.Limit : double.NaN)
            : null;
        entry.State = state;
        entry.Last = value;
        return state;
    }

    /// <summary>
    /// The state of <paramref name="value"/> as read now (a query, a snapshot), changing nothing: the
    /// committed state when it is the committed value, else what it would be (a model that changed a
    /// value without saying so), with the committed source time.
    /// </summary>
    public ValueState Peek(string property, Value value)
    {
        var entry = _entries[property];
        return value.Equals(entry.Last) ? entry.State : entry.StateOf(entry.Limits.Evaluate(value, entry.Computed), entry.State.SourceTime);
    }

    private sealed class Entry(AlarmLimits limits, Timestamp start)
    {
        public AlarmLimits Limits { get; } = limits;

        /// <summary>The quality the limits gave the last value (the hysteresis eases from it).</summary>
        public Quality Computed { get; set; } = Quality.Valid;

        public ReportedQuality Reported { get; set; }

        public string ReportedReason { get; set; } = string.Empty;

        public ValueState State { get; set; } = new() { Quality = Quality.Valid, SourceTime = start };

        public Value? Last { get; set; }

        public ValueState StateOf(LimitVerdict verdict, Timestamp? sourceTime) => Reported == ReportedQuality.FromLimits
            ? new ValueState { Quality = verdict.Quality, Reason = verdict.Reason, SourceTime = sourceTime }
            : new ValueState { Quality = Given(Reported), Reason = ReportedReason, SourceTime = sourceTime };

        private static Quality Given(ReportedQuality reported) => reported switch
        {
            ReportedQuality.Warning => Quality.Warning,
            ReportedQuality.Alarm => Quality.Alarm,
            ReportedQuality.Invalid => Quality.Invalid,
            _ => Quality.Valid,
        };
    }
}
