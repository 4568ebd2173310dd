using RemoteModel.Models;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;

namespace RemoteModel.Viewer;

/// <summary>
/// What the live table shows, kept up to date from the follower's events: the connection (and
/// whether a reconnection resumed or resynchronised), the model's version, and for each property
/// its value and quality, unit, and the version, time and author of its last change. Not thread-safe: the table guards it.
/// </summary>
internal sealed class ModelTableState(string model)
{
    private readonly Dictionary<string, PropertyRow> _rows = new(StringComparer.Ordinal);
    private List<string> _order = [];
    private int _connections;

    public string Model { get; } = model;

    public string? Endpoint { get; private set; }

    public string? ViewerName { get; private set; }

    /// <summary>connecting, connected, lost (why); reconnecting, reconnected.</summary>
    public string Connection { get; private set; } = "connecting";

    /// <summary>Whether the follower holds a subscription now.</summary>
    public bool Connected { get; private set; }

    public long Version { get; private set; }

    /// <summary>Who holds the model's lock; null when nobody does (or nobody said).</summary>
    public LockInfo? Lock { get; private set; }

    /// <summary>The properties in the model's declared order (name order until it is described).</summary>
    public IEnumerable<PropertyRow> Rows =>
        _order.Where(_rows.ContainsKey).Select(name => _rows[name])
            .Concat(_rows.Values.Where(row => !_order.Contains(row.Name)).OrderBy(row => row.Name, StringComparer.Ordinal));

    public void Apply(FollowEvent e)
    {
        switch (e.Kind)
        {
            case FollowEventKind.Connected:
                Endpoint = e.Endpoint;
                ViewerName = e.Notification!.ViewerName;
                Connected = true;
                Connection = _connections++ == 0 ? "connected" : $"reconnected: {e.DescribeStart()}";
                Lock = e.Notification.Lock;
                Take(e.Notification, "(snapshot)", onlyDifferences: false);
                break;
            case FollowEventKind.Notification when e.Notification!.Kind == Notification.Types.Kind.Lock:
                Lock = e.Notification.Lock;
                break;
            case FollowEventKind.Notification:
                var notification = e.Notification!;
                Take(notification, notification.Kind switch
                {
                    Notification.Types.Kind.Resync => "(resync)",
                    Notification.Types.Kind.Sample => $"(sample {notification.Cause})",
                    _ => $"{notification.ChangedBy} ({notification.Cause})",
                }, onlyDifferences: notification.Kind == Notification.Types.Kind.Resync);
                break;
            case FollowEventKind.Lost:
                Connected = false;
                Connection = $"lost ({e.Problem}); reconnecting in {e.RetryIn.TotalSeconds:0.#} s";
                break;
        }
    }

    /// <summary>Units and the declared order of properties, from the model's schema.</summary>
    public void Describe(ModelDescription description)
    {
        _order = [.. description.Properties.Select(p => p.Name)];
        foreach (var property in description.Properties)
        {
            Row(property.Name).Unit = property.Unit;
        }
    }

    /// <summary>
    /// Takes a notification's values. A change says who made it. A resync, which does not say
    /// when its values changed, only marks those that differ from what was shown; a new
    /// subscription's snapshot marks them all (a restarted server counts versions afresh).
    /// </summary>
    private void Take(Notification notification, string by, bool onlyDifferences = false)
    {
        Version = notification.Version;
        foreach (var (name, value) in notification.Values)
        {
            var row = Row(name);
            var shown = value.ToDisplayString();
            var state = notification.StateOf(name);
            if (onlyDifferences && row.Value == shown && row.Quality == state.Quality)
            {
                continue;
            }

            row.Value = shown;
            row.Quality = state.Quality;
            row.Reason = state.Reason;
            row.Version = notification.Version;
            row.Time = notification.Time?.ToDateTimeOffset();
            row.By = by;
        }
    }

    private PropertyRow Row(string name)
    {
        if (!_rows.TryGetValue(name, out var row))
        {
            _rows[name] = row = new PropertyRow(name);
        }

        return row;
    }
}
