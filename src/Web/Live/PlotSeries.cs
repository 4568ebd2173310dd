namespace RemoteModel.Web.Live;

/// <summary>One point of a plotted line.</summary>
public readonly record struct PlotPoint(DateTimeOffset Time, double Value);

/// <summary>One numeric property's line: its points, oldest first, over the plot's window.</summary>
public sealed record PlotLine(string Name, string Unit, IReadOnlyList<PlotPoint> Points);

/// <summary>
/// The recent values of one numeric property, kept at a fixed resolution (the window divided
/// into <see cref="Buckets"/> buckets, the latest value in each), so a model changing a thousand
/// times a second costs a page no more memory or drawing than a slow one.
/// </summary>
internal sealed class PlotSeries(string name, string unit, TimeSpan window)
{
    /// <summary>How many points a line holds at most: about one per pixel of a wide plot.</summary>
    public const int Buckets = 600;

    private readonly TimeSpan _resolution = window / Buckets;
    private readonly Queue<PlotPoint> _points = new();
    private PlotPoint? _last;
    private PlotLine? _line;

    public string Name { get; } = name;

    /// <summary>The property's unit, once the schema says it.</summary>
    public string Unit
    {
        get => unit;
        set
        {
            unit = value;
            _line = null;
        }
    }

    /// <summary>Takes a value at <paramref name="time"/>; a value within the same bucket as the last replaces it.</summary>
    public void Add(DateTimeOffset time, double value)
    {
        if (_last is { } last && time - last.Time < _resolution)
        {
            _last = last with { Value = value };
        }
        else
        {
            if (_last is { } closed)
            {
                _points.Enqueue(closed);
            }

            _last = new PlotPoint(time, value);
            while (_points.Count > 0 && time - _points.Peek().Time > window)
            {
                _points.Dequeue();
            }
        }

        _line = null;
    }

    /// <summary>The line as it is now; the same object until a value arrives.</summary>
    public PlotLine Line => _line ??= new PlotLine(Name, Unit, _last is { } last ? [.. _points, last] : [.. _points]);
}
