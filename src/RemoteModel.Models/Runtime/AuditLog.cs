using RemoteModel.Models.V1;

namespace RemoteModel.Models.Runtime;

/// <summary>The recent modifies and invocations of one model, oldest dropped first.</summary>
internal sealed class AuditLog(int capacity)
{
    private readonly Queue<AuditRecord> _records = new();

    public void Add(AuditRecord record)
    {
        lock (_records)
        {
            if (_records.Count == capacity)
            {
                _records.Dequeue();
            }

            _records.Enqueue(record);
        }
    }

    /// <summary>The newest <paramref name="limit"/> records, newest last.</summary>
    public IReadOnlyList<AuditRecord> Recent(int limit)
    {
        lock (_records)
        {
            return [.. _records.Skip(Math.Max(0, _records.Count - limit))];
        }
    }
}
