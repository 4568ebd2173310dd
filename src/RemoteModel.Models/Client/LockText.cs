using System.Globalization;
using RemoteModel.Models.V1;

namespace RemoteModel.Models.Client;

/// <summary>A model's lock as the tools show it.</summary>
public static class LockText
{
    /// <summary>
    /// <c>unlocked</c>, <c>locked by alice@lab [key ops] since 2026-12-07 05:30:00 UTC</c>, with
    /// <c>(lease until 05:30:10 UTC)</c> for a lease.
    /// </summary>
    public static string ToDisplayString(this LockInfo? held)
    {
        if (held is null)
        {
            return "unlocked";
        }

        var text = $"locked by {held.Holder} since {Format(held.Since?.ToDateTimeOffset(), "yyyy-MM-dd HH:mm:ss")} UTC";
        return held.Expires is { } expires ? $"{text} (lease until {Format(expires.ToDateTimeOffset(), "HH:mm:ss")} UTC)" : text;
    }

    private static string Format(DateTimeOffset? time, string format) =>
        time?.UtcDateTime.ToString(format, CultureInfo.InvariantCulture) ?? "?";
}
