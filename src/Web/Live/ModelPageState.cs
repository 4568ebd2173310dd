using RemoteModel.Models.Client;
using RemoteModel.Models.V1;

namespace RemoteModel.Web.Live;

/// <summary>
/// What a model page knows, kept up to date from the follower's events, the schema, the viewers
/// and the history: the connection as the console viewer tells it (connected; lost, reconnecting;
/// reconnected, resynchronised), each property's value and last change, and the plot's lines.
/// Not thread-safe: <see cref="LiveModel"/> guards it.
/// </summary>
internal sealed class ModelPageState(string model, string viewerName, TimeSpan plotWindow)
{
    private readonly Dictionary<string, PropertyView> _rows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PlotSeries> _plot = new(StringComparer.Ordinal);
    private ModelDescription? _description;
    private LifecycleState _state;
    private IReadOnlyList<ViewerInfo> _viewers = [];
    private IReadOnlyList<AuditRecord> _history = [];
    private string _connection = "connecting";
    private bool _connected;
    private string? _endpoint;
    private long _version;
    private DateTimeOffset? _time;
    private int _connections;

    /// <summary>Set when a change came from someone other than the model itself, or the lifecycle moved: the history (and schema) are worth asking again.</summary>
    public bool ChangedByCaller { get; set; }

    /// <summary>Set when a lifecycle transition was seen: the schema (allowed transitions) is worth asking again.</summary>
    public bool LifecycleMoved { get; set; }

    public void Apply(FollowEvent e, DateTimeOffset now)
    {
        switch (e.Kind)
        {
            case FollowEventKind.Connected:
                _endpoint = e.Endpoint;
                _connected = true;
                _connection = _connections++ == 0
                    ? $"connected to {e.Endpoint}"
                    : $"reconnected to {e.Endpoint}: resynchronised at v{e.Notification!.Version}";
                Take(e.Notification!, "(snapshot)", now, onlyDifferences: false);
                ChangedByCaller = true;
                break;
            case FollowEventKind.Notification:
                var notification = e.Notification!;
                Take(notification, notification.Kind switch
                {
                    Notification.Types.Kind.Resync => "(resync)",
                    Notification.Types.Kind.Sample => $"(sample {notification.Cause})",
                    _ => $"{notification.ChangedBy} ({notification.Cause})",
                }, now, onlyDifferences: notification.Kind == Notification.Types.Kind.Resync);
                if (notification.Kind == Notification.Types.Kind.Change && notification.ChangedBy != "model")
                {
                    ChangedByCaller = true;
                }

                break;
            case FollowEventKind.Lost:
                _connected = false;
                _connection = $"lost ({e.Problem}); reconnecting in {e.RetryIn.TotalSeconds:0.#} s";
                break;
        }
    }

    public void Describe(ModelDescription description)
    {
        _description = description;
        _state = description.Lifecycle?.State ?? LifecycleState.Unspecified;
        foreach (var property in description.Properties)
        {
            _rows[property.Name] = (_rows.TryGetValue(property.Name, out var row) ? row : new PropertyView(property.Name, null, null, 0, null, string.Empty))
                with { Description = property };
            if (_plot.TryGetValue(property.Name, out var series))
            {
                series.Unit = property.Unit;
            }
        }
    }

    public void SetViewers(IReadOnlyList<ViewerInfo> viewers) => _viewers = viewers;

    /// <summary>The records, newest first.</summary>
    public void SetHistory(IReadOnlyList<AuditRecord> newestLast) => _history = [.. newestLast.Reverse()];

    public ModelView View() => new(
        model, viewerName, _connection, _connected, _endpoint, _version, _time, _description, _state,
        [.. Ordered()],
        _viewers,
        _history,
        [.. _plot.Values.Select(series => series.Line)]);

    /// <summary>The properties in the model's declared order (name order for any it did not describe).</summary>
    private IEnumerable<PropertyView> Ordered()
    {
        var declared = _description?.Properties.Select(p => p.Name).ToList() ?? [];
        return declared.Where(_rows.ContainsKey).Select(name => _rows[name])
            .Concat(_rows.Values.Where(row => !declared.Contains(row.Name)).OrderBy(row => row.Name, StringComparer.Ordinal));
    }

    /// <summary>
    /// Takes a notification's values. A resync, which does not say when its values changed, only
    /// marks those that differ from what was shown; a snapshot marks them all.
    /// </summary>
    private void Take(Notification notification, string by, DateTimeOffset now, bool onlyDifferences)
    {
        _version = notification.Version;
        _time = notification.Time?.ToDateTimeOffset();
        if (notification.State != LifecycleState.Unspecified && notification.State != _state)
        {
            _state = notification.State;
            LifecycleMoved = true;
        }

        foreach (var (name, value) in notification.Values)
        {
            _rows.TryGetValue(name, out var row);
            if (onlyDifferences && row?.Value is { } shown && shown.Equals(value))
            {
                continue;
            }

            _rows[name] = new PropertyView(name, row?.Description, value, notification.Version, _time, by);
            if (value.KindCase is Value.KindOneofCase.DoubleValue or Value.KindOneofCase.IntValue)
            {
                if (!_plot.TryGetValue(name, out var series))
                {
                    _plot[name] = series = new PlotSeries(name, row?.Description?.Unit ?? string.Empty, plotWindow);
                }

                series.Add(_time ?? now, value.KindCase == Value.KindOneofCase.DoubleValue ? value.DoubleValue : value.IntValue);
            }
        }
    }
}
