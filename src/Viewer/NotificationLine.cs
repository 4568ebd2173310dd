using System.Globalization;
using RemoteModel.Models;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;

namespace RemoteModel.Viewer;

/// <summary>One notification as one line: time, version, kind, the values (or the lock), and who changed them.</summary>
internal static class NotificationLine
{
    public static string Format(Notification notification)
    {
        var time = notification.Time?.ToDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) ?? "-";
        var values = string.Join(' ', notification.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value.ToDisplayString()}"));
        var who = notification.Kind is Notification.Types.Kind.Change or Notification.Types.Kind.Lock && notification.ChangedBy.Length > 0
            ? $"  by {notification.ChangedBy} ({notification.Cause})"
            : string.Empty;
        // A LOCK notification says what the lock is now; a snapshot, only when someone holds it.
        var held = notification.Kind == Notification.Types.Kind.Lock || notification.Lock is not null ? $"  {notification.Lock.ToDisplayString()}" : string.Empty;
        return $"{time}  v{notification.Version}  {notification.Kind.ToString().ToUpperInvariant()}  {values}{held}{who}";
    }
}
