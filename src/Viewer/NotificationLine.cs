using System.Globalization;
using RemoteModel.Models;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;

namespace RemoteModel.Viewer;

/// <summary>One notification as one line: time, version, kind, the values (marked by their quality when not VALID, with why) or the lock, and who changed them.</summary>
internal static class NotificationLine
{
    public static string Format(Notification notification)
    {
        var time = notification.Time?.ToDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) ?? "-";
        var values = string.Join(' ', notification.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value.ToDisplayString()}{QualityMark(notification, v.Key)}"));
        var who = notification.Kind is Notification.Types.Kind.Change or Notification.Types.Kind.Lock && notification.ChangedBy.Length > 0
            ? $"  by {notification.ChangedBy} ({notification.Cause})"
            : string.Empty;
        var why = notification.Kind == Notification.Types.Kind.Resync && notification.ResyncReason != Notification.Types.ResyncReason.Unspecified
            ? notification.ResyncReason switch
            {
                Notification.Types.ResyncReason.EpochChanged => " (epoch changed)",
                Notification.Types.ResyncReason.HistoryGone => " (history gone)",
                _ => " (fell behind)",
            }
            : string.Empty;
        // A LOCK notification says what the lock is now; a snapshot, only when someone holds it.
        var held = notification.Kind == Notification.Types.Kind.Lock || notification.Lock is not null ? $"  {notification.Lock.ToDisplayString()}" : string.Empty;
        return $"{time}  v{notification.Version}  {notification.Kind.ToString().ToUpperInvariant()}{why}  {values}{held}{who}";
    }

    /// <summary>"[ALARM: above high alarm limit 120]" after a value that is not VALID.</summary>
    private static string QualityMark(Notification notification, string name) =>
        notification.StateOf(name) is var state && ModelTableView.Marker(state.Quality) is { Length: > 0 } marker
            ? state.Reason.Length > 0 ? $"{marker[..^1]}: {state.Reason}]" : marker
            : string.Empty;
}
