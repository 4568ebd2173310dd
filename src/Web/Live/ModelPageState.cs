using RemoteModel.Models.Client;
using RemoteModel.Models;
using RemoteModel.Models.V1;

namespace RemoteModel.Web.Live;

/// <summary>
/// What a model page knows: the model as the follower's events leave it (<see cref="FollowedModel"/>:
/// the connection as the console viewer tells it, each property's value and last change), the
/// schema, the viewers, the history, and the plot's lines. Not thread-safe: <see cref="LiveModel"/> guards it.
/// </summary>
internal sealed class ModelPageState(string model, string viewerName, TimeSpan plotWindow)
{
    private readonly FollowedModel _followed = new();
    private readonly Dictionary<string, PlotSeries> _plot = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PropertyDescription> _described = new(StringComparer.Ordinal);
    private ModelDescription? _description;
    private IReadOnlyList<ViewerInfo> _viewers = [];
    private IReadOnlyList<AuditRecord> _history = [];

    /// <summary>Set when a change came from someone other than the model itself, or the lifecycle moved: the history (and schema) are worth asking again.</summary>
    public bool ChangedByCaller { get; set; }

    /// <summary>Set when a lifecycle transition was seen: the schema (allowed transitions) is worth asking again.</summary>
    public bool LifecycleMoved { get; set; }

    public void Apply(FollowEvent e, DateTimeOffset now)
    {
        var state = _followed.State;
        foreach (var taken in _followed.Apply(e))
        {
            if (taken.Value is { KindCase: Value.KindOneofCase.DoubleValue or Value.KindOneofCase.IntValue } value)
            {
                if (!_plot.TryGetValue(taken.Name, out var series))
                {
                    _plot[taken.Name] = series = new PlotSeries(taken.Name, _described.GetValueOrDefault(taken.Name)?.Unit ?? string.Empty, plotWindow);
                }

                series.Add(taken.Time ?? now, value.KindCase == Value.KindOneofCase.DoubleValue ? value.DoubleValue : value.IntValue);
            }
        }

        LifecycleMoved |= _followed.State != state;
        ChangedByCaller |= e.Kind == FollowEventKind.Connected
            || (e.Kind == FollowEventKind.Notification && e.Notification is { Kind: Notification.Types.Kind.Change, ChangedBy: not ModelHost.ModelIdentity });
    }

    public void Describe(ModelDescription description)
    {
        _description = description;
        _followed.Describe(description);
        foreach (var property in description.Properties)
        {
            _described[property.Name] = property;
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
        model, viewerName, _followed.DescribeConnection(namingEndpoint: true), _followed.Connected, _followed.Endpoint, _followed.Version, _followed.Time, _description, _followed.State,
        [.. _followed.Properties.Select(p => new PropertyView(p.Name, _described.GetValueOrDefault(p.Name), p.Value, p.State, p.Version, p.Time, p.By))],
        _viewers,
        _history,
        [.. _plot.Values.Select(series => series.Line)]);
}
