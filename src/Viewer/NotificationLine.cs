using System.Globalization;
using RemoteModel.Models;
using RemoteModel.Models.V1;

namespace RemoteModel.Viewer;

/// <summary>One notification as one line: time, version, kind, the values, and who changed them.</summary>
internal static class NotificationLine
{
    public static string Format(Notification notification)
    {
        var time = notification.Time?.ToDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) ?? "-";
        var values = string.Join(' ', notification.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value.ToDisplayString()}"));
        var who = notification.Kind == Notification.Types.Kind.Change && notification.ChangedBy.Length > 0
            ? $"  by {notification.ChangedBy} ({notification.Cause})"
            : string.Empty;
        return $"{time}  v{notification.Version}  {notification.Kind.ToString().ToUpperInvariant()}  {values}{who}";
    }
}
