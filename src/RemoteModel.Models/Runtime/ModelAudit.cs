using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using RemoteModel.Models.V1;
using RemoteModel.Models.Values;
using Value = RemoteModel.Models.V1.Value;

namespace RemoteModel.Models.Runtime;

/// <summary>
/// The audit of one model: every modify and invocation, applied or refused, and every alarm raised
/// or cleared, is one record kept for History (the oldest dropped first) and one log line.
/// </summary>
internal sealed partial class ModelAudit(string model, int capacity, int defaultLimit, TimeProvider timeProvider, ILogger logger)
{
    private readonly ILogger _logger = logger;
    private readonly Queue<AuditRecord> _records = new();

    /// <summary>Records a change that was applied (or a dry run, with its <paramref name="note"/>) at <paramref name="version"/>.</summary>
    public void Applied(string caller, string action, IEnumerable<KeyValuePair<string, Value>> changes, long version, string note = "")
    {
        var record = Add(caller, action, changes, version, 0, note);
        LogChangeApplied(Caller: caller, Model: model, Action: action, Version: version, Changes: record.Changes.ToDisplayString(), Note: note);
    }

    /// <summary>Records a change that was refused, the model being at <paramref name="version"/>.</summary>
    public void Refused(string caller, string action, IEnumerable<KeyValuePair<string, Value>> changes, long version, ModelException refusal)
    {
        Add(caller, action, changes, version, (int)refusal.Reason, refusal.Message);
        LogChangeRefused(Caller: caller, Model: model, Action: action, Code: refusal.Reason, Reason: refusal.Message);
    }

    /// <summary>
    /// Records a quality change, committed at <paramref name="version"/> by <paramref name="caller"/>:
    /// an alarm raised (a quality worse than VALID) or cleared, with the property, its value and the limit.
    /// </summary>
    public void QualityChanged(QualityChange change, long version, string caller)
    {
        var record = Add(caller, "alarm", [new(change.Property, change.Value)], version, 0, change.State.Reason);
        record.States[change.Property] = change.State;
        var value = change.Value.ToDisplayString();
        var limit = double.IsNaN(change.Limit) ? "none (given by the model)" : change.Limit.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        if (change.Raised)
        {
            LogAlarmRaised(Model: model, Property: change.Property, Value: value, Quality: change.State.Quality, Reason: change.State.Reason, Limit: limit, From: change.From, Version: version, Caller: caller);
        }
        else
        {
            LogAlarmCleared(Model: model, Property: change.Property, Value: value, From: change.From, Version: version, Caller: caller);
        }
    }

    /// <summary>The newest records, newest last; <paramref name="limit"/> 0 gives the default number.</summary>
    /// <exception cref="ModelException">INVALID_ARGUMENT for a negative limit.</exception>
    public IReadOnlyList<AuditRecord> Recent(int limit)
    {
        if (limit < 0)
        {
            throw new ModelException(ModelErrorReason.InvalidArgument, $"a history limit cannot be negative ({limit})");
        }

        limit = limit == 0 ? defaultLimit : limit;
        lock (_records)
        {
            return [.. _records.Skip(Math.Max(0, _records.Count - limit))];
        }
    }

    private AuditRecord Add(string caller, string action, IEnumerable<KeyValuePair<string, Value>> changes, long version, int statusCode, string message)
    {
        var record = new AuditRecord
        {
            Time = Timestamp.FromDateTimeOffset(timeProvider.GetUtcNow()),
            Model = model,
            Caller = caller,
            Action = action,
            Version = version,
            StatusCode = statusCode,
            StatusMessage = message,
        };
        record.Changes.Add(changes.ToDictionary(c => c.Key, c => c.Value));
        lock (_records)
        {
            if (_records.Count == capacity)
            {
                _records.Dequeue();
            }

            _records.Enqueue(record);
        }

        return record;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "change applied by {Caller} to {Model}: {Action} {Changes} -> version {Version} {Note}")]
    private partial void LogChangeApplied(string Caller, string Model, string Action, long Version, string Changes, string Note);

    [LoggerMessage(Level = LogLevel.Warning, Message = "alarm raised on {Model}: {Property} = {Value} is {Quality}: {Reason} (limit {Limit}; was {From}) at version {Version} by {Caller}")]
    private partial void LogAlarmRaised(string Model, string Property, string Value, Quality Quality, string Reason, string Limit, Quality From, long Version, string Caller);

    [LoggerMessage(Level = LogLevel.Information, Message = "alarm cleared on {Model}: {Property} = {Value} is VALID again (was {From}) at version {Version} by {Caller}")]
    private partial void LogAlarmCleared(string Model, string Property, string Value, Quality From, long Version, string Caller);

    [LoggerMessage(Level = LogLevel.Information, Message = "change refused for {Caller} on {Model}: {Action}: {Code} {Reason}")]
    private partial void LogChangeRefused(string Caller, string Model, string Action, ModelErrorReason Code, string Reason);
}
