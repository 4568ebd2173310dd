using RemoteModel.Models.V1;

namespace RemoteModel.Web.Live;

/// <summary>One property as the page shows it: its schema, value and quality, and the version, time and author of its last change.</summary>
internal sealed record PropertyView(string Name, PropertyDescription? Description, Value? Value, ValueState? State, long Version, DateTimeOffset? Time, string By);

/// <summary>
/// What a model page shows at one redraw, taken whole from the live state so the page renders
/// a consistent picture while the follower goes on taking changes.
/// </summary>
internal sealed record ModelView(
    string Model,
    string ViewerName,
    string Connection,
    bool Connected,
    string? Endpoint,
    long Version,
    DateTimeOffset? Time,
    ModelDescription? Description,
    LifecycleState State,
    IReadOnlyList<PropertyView> Properties,
    IReadOnlyList<ViewerInfo> Viewers,
    IReadOnlyList<AuditRecord> History,
    IReadOnlyList<PlotLine> Plot)
{
    /// <summary>Before anything is known.</summary>
    public static ModelView Connecting(string model, string viewerName) =>
        new(model, viewerName, "connecting", false, null, 0, null, null, LifecycleState.Unspecified, [], [], [], []);
}
