using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using RemoteModel.Models.V1;
using RemoteModel.Models.Values;
using Value = RemoteModel.Models.V1.Value;

namespace RemoteModel.Models.Runtime;

/// <summary>
/// The audit of one model: every modify and invocation, applied or refused, is one record kept for
/// History (the oldest dropped first) and one log line.
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

    [LoggerMessage(Level = LogLevel.Information, Message = "change refused for {Caller} on {Model}: {Action}: {Code} {Reason}")]
    private partial void LogChangeRefused(string Caller, string Model, string Action, ModelErrorReason Code, string Reason);
}
