using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using RemoteModel.Grpc.Telemetry;

namespace RemoteModel.EndToEnd.Tests;

/// <summary>
/// What the project's Meter records while this listens: every measurement of every instrument,
/// with its tags, so a test sums those that carry its own tag (its model's name).
/// </summary>
internal sealed class RecordedMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, KeyValuePair<string, object?>[] Tags)> _recorded = new();

    public RecordedMeasurements()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == RemoteModelDiagnostics.Meter)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _recorded.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.Start();
    }

    /// <summary>The sum of what <paramref name="instrument"/> recorded with the tag <paramref name="key"/> = <paramref name="value"/>.</summary>
    public long Sum(string instrument, string key, object value) => Values(instrument, key, value).Sum();

    /// <summary>Each value <paramref name="instrument"/> recorded with the tag <paramref name="key"/> = <paramref name="value"/>.</summary>
    public IReadOnlyList<long> Values(string instrument, string key, object value)
    {
        // Observable instruments report only when asked.
        _listener.RecordObservableInstruments();
        return [.. _recorded
            .Where(m => m.Instrument == instrument && m.Tags.Any(t => t.Key == key && Equals(t.Value, value)))
            .Select(m => m.Value)];
    }

    /// <summary>What the gauge <paramref name="instrument"/> reads now for the tag <paramref name="key"/> = <paramref name="value"/>; null when it has no reading.</summary>
    public long? Now(string instrument, string key, object value) =>
        Values(instrument, key, value) is [.., var latest] ? latest : null;

    public void Dispose() => _listener.Dispose();
}
