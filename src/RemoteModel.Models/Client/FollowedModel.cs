using RemoteModel.Models.V1;

namespace RemoteModel.Models.Client;

/// <summary>
/// A model as a viewer knows it from <see cref="ModelFollower"/>'s events: the connection (and
/// whether a reconnection resumed or resynchronised), the version, the lifecycle state, who holds
/// the lock, and for each property its value and quality and the version, time and author of its
/// last change, in the model's declared order. What the console viewer's table and the web view's
/// page show. Not thread-safe: its owner guards it.
/// </summary>
public sealed class FollowedModel
{
    private readonly Dictionary<string, FollowedProperty> _properties = new(StringComparer.Ordinal);
    private List<string> _declared = [];
    private int _connections;
    private string? _lastStart;
    private (string Problem, TimeSpan RetryIn)? _lost;

    /// <summary>The model server's endpoint last connected to; null until connected.</summary>
    public string? Endpoint { get; private set; }

    /// <summary>The name the server gave this viewer; null until connected.</summary>
    public string? ViewerName { get; private set; }

    /// <summary>Whether the follower holds a subscription now.</summary>
    public bool Connected { get; private set; }

    /// <summary>The version of the last notification taken.</summary>
    public long Version { get; private set; }

    /// <summary>When the last notification taken says the model changed; null when it did not say.</summary>
    public DateTimeOffset? Time { get; private set; }

    /// <summary>The lifecycle state, from the schema and each notification that carries one; UNSPECIFIED for a model without a lifecycle.</summary>
    public LifecycleState State { get; private set; }

    /// <summary>Who holds the model's lock; null when nobody does (or nobody said).</summary>
    public LockInfo? Lock { get; private set; }

    /// <summary>The properties in the model's declared order (name order for any it has not described).</summary>
    public IEnumerable<FollowedProperty> Properties =>
        _declared.Where(_properties.ContainsKey).Select(name => _properties[name])
            .Concat(_properties.Values.Where(p => !_declared.Contains(p.Name)).OrderBy(p => p.Name, StringComparer.Ordinal));

    /// <summary>
    /// Takes one of the follower's events; returns the properties whose values it took (for a
    /// plot, say). A change says who made it; a new subscription's snapshot (or RESYNC, or
    /// RESUMED) marks every value it carries, since a restarted server counts versions afresh; a
    /// RESYNC while connected, which does not say when its values changed, marks only those that
    /// differ from what was known.
    /// </summary>
    public IReadOnlyList<FollowedProperty> Apply(FollowEvent followEvent)
    {
        ArgumentNullException.ThrowIfNull(followEvent);
        switch (followEvent.Kind)
        {
            case FollowEventKind.Connected:
                Endpoint = followEvent.Endpoint;
                ViewerName = followEvent.Notification!.ViewerName;
                Connected = true;
                _lost = null;
                _lastStart = _connections++ == 0 ? null : followEvent.DescribeStart();
                Lock = followEvent.Notification.Lock;
                return Take(followEvent.Notification, "(snapshot)", onlyDifferences: false);
            case FollowEventKind.Notification when followEvent.Notification!.Kind == Notification.Types.Kind.Lock:
                Lock = followEvent.Notification.Lock;
                return [];
            case FollowEventKind.Notification:
                var notification = followEvent.Notification;
                return Take(notification, notification.Kind switch
                {
                    Notification.Types.Kind.Resync => "(resync)",
                    Notification.Types.Kind.Sample => $"(sample {notification.Cause})",
                    _ => $"{notification.ChangedBy} ({notification.Cause})",
                }, onlyDifferences: notification.Kind == Notification.Types.Kind.Resync);
            case FollowEventKind.Lost:
                Connected = false;
                _lost = (followEvent.Problem ?? "no reason given", followEvent.RetryIn);
                return [];
            default:
                return [];
        }
    }

    /// <summary>The declared order of properties (each listed, with a value or not) and the lifecycle state, from the model's schema.</summary>
    public void Describe(ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        _declared = [.. description.Properties.Select(p => p.Name)];
        State = description.Lifecycle?.State ?? LifecycleState.Unspecified;
        foreach (var property in description.Properties)
        {
            _properties.TryAdd(property.Name, new FollowedProperty(property.Name, null, null, 0, null, string.Empty));
        }
    }

    /// <summary>
    /// The connection in words: connecting; connected; reconnected, and how (resumed, or
    /// resynchronised and why); lost (why), reconnecting in so long. With
    /// <paramref name="namingEndpoint"/>, a connection names the endpoint it is to.
    /// </summary>
    public string DescribeConnection(bool namingEndpoint = false)
    {
        var to = namingEndpoint && Endpoint is { } endpoint ? $" to {endpoint}" : string.Empty;
        return (_connections, _lost, _lastStart) switch
        {
            (_, { } lost, _) => $"lost ({lost.Problem}); reconnecting in {lost.RetryIn.TotalSeconds:0.#} s",
            (0, _, _) => "connecting",
            (_, _, null) => $"connected{to}",
            (_, _, { } start) => $"reconnected{to}: {start}",
        };
    }

    private List<FollowedProperty> Take(Notification notification, string by, bool onlyDifferences)
    {
        Version = notification.Version;
        Time = notification.Time?.ToDateTimeOffset();
        if (notification.State != LifecycleState.Unspecified)
        {
            State = notification.State;
        }

        var taken = new List<FollowedProperty>(notification.Values.Count);
        foreach (var (name, value) in notification.Values)
        {
            var state = notification.StateOf(name);
            if (onlyDifferences && _properties.TryGetValue(name, out var known) && value.Equals(known.Value)
                && state.Quality == known.State?.Quality)
            {
                continue;
            }

            var property = new FollowedProperty(name, value, state, notification.Version, Time, by);
            _properties[name] = property;
            taken.Add(property);
        }

        return taken;
    }
}

/// <summary>A property of a <see cref="FollowedModel"/>: its value and quality, and the version, time and author of its last change.</summary>
/// <param name="Name">The property's name.</param>
/// <param name="Value">Its value; null for a property the schema lists that no notification has carried yet.</param>
/// <param name="State">Its quality (and why it is not VALID) and source time (<see cref="NotificationStates.StateOf"/>); null before any notification carried it.</param>
/// <param name="Version">The version of the notification it came with; 0 before any.</param>
/// <param name="Time">When that notification says the model changed; null when it did not say.</param>
/// <param name="By">Who changed it (<c>alice (modify)</c>), or <c>(snapshot)</c>, <c>(resync)</c>, <c>(sample STREAM)</c>.</param>
public sealed record FollowedProperty(string Name, Value? Value, ValueState? State, long Version, DateTimeOffset? Time, string By)
{
    /// <summary>Its quality; UNSPECIFIED from a server that does not say.</summary>
    public Quality Quality => State?.Quality ?? Quality.Unspecified;
}
