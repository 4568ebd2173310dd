using RemoteModel.Models;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;

namespace RemoteModel.Viewer;

/// <summary>
/// What the live table shows: the model as the follower's events leave it (<see cref="FollowedModel"/>)
/// with each property's unit from the schema. Not thread-safe: the table guards it.
/// </summary>
internal sealed class ModelTableState(string model)
{
    private readonly FollowedModel _followed = new();
    private readonly Dictionary<string, string> _units = new(StringComparer.Ordinal);

    public string Model { get; } = model;

    public string? Endpoint => _followed.Endpoint;

    public string? ViewerName => _followed.ViewerName;

    /// <summary>connecting, connected, lost (why); reconnecting, reconnected.</summary>
    public string Connection => _followed.DescribeConnection();

    /// <summary>Whether the follower holds a subscription now.</summary>
    public bool Connected => _followed.Connected;

    public long Version => _followed.Version;

    /// <summary>Who holds the model's lock; null when nobody does (or nobody said).</summary>
    public LockInfo? Lock => _followed.Lock;

    /// <summary>The properties in the model's declared order (name order until it is described).</summary>
    public IEnumerable<PropertyRow> Rows => _followed.Properties.Select(p => new PropertyRow(
        p.Name, p.Value?.ToDisplayString() ?? string.Empty, _units.GetValueOrDefault(p.Name, string.Empty), p.Version, p.Time, p.By, p.Quality));

    public void Apply(FollowEvent e) => _followed.Apply(e);

    /// <summary>Units and the declared order of properties, from the model's schema.</summary>
    public void Describe(ModelDescription description)
    {
        _followed.Describe(description);
        foreach (var property in description.Properties)
        {
            _units[property.Name] = property.Unit;
        }
    }
}
