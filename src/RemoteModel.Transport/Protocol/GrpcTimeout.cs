using System.Globalization;

namespace RemoteModel.Transport.Protocol;

/// <summary>
/// The <c>grpc-timeout</c> header: at most 8 ASCII digits and a unit, H M S m u n
/// (hours, minutes, seconds, milliseconds, microseconds, nanoseconds).
/// </summary>
internal static class GrpcTimeout
{
    private const long MaxValue = 99_999_999;

    public static bool TryParse(string? text, out TimeSpan timeout)
    {
        timeout = default;
        if (text is null || text.Length < 2 || text.Length > 9)
        {
            return false;
        }

        var digits = text.AsSpan(0, text.Length - 1);
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        var value = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        var ticks = text[^1] switch
        {
            'H' => Scale(value, TimeSpan.TicksPerHour),
            'M' => Scale(value, TimeSpan.TicksPerMinute),
            'S' => Scale(value, TimeSpan.TicksPerSecond),
            'm' => Scale(value, TimeSpan.TicksPerMillisecond),
            'u' => value * 10,
            'n' => value / 100,
            _ => (long?)null,
        };
        if (ticks is null)
        {
            return false;
        }

        timeout = TimeSpan.FromTicks(ticks.Value);
        return true;
    }

    /// <summary>Formats with the finest unit that keeps the value within 8 digits, rounding up.</summary>
    public static string Format(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return "1n";
        }

        var ticks = timeout.Ticks;
        if (ticks <= MaxValue / 100)
        {
            return (ticks * 100).ToString(CultureInfo.InvariantCulture) + "n";
        }

        foreach (var (ticksPerUnit, unit) in CoarserUnits)
        {
            // Rounded up, so a deadline is never sent shorter than it is.
            var value = (ticks + ticksPerUnit - 1) / ticksPerUnit;
            if (value <= MaxValue)
            {
                return value.ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        return MaxValue.ToString(CultureInfo.InvariantCulture) + "H";
    }

    private static readonly (long TicksPerUnit, char Unit)[] CoarserUnits =
    [
        (10, 'u'), (TimeSpan.TicksPerMillisecond, 'm'), (TimeSpan.TicksPerSecond, 'S'),
        (TimeSpan.TicksPerMinute, 'M'), (TimeSpan.TicksPerHour, 'H'),
    ];

    private static long? Scale(long value, long ticksPerUnit) =>
        value > long.MaxValue / ticksPerUnit ? long.MaxValue : value * ticksPerUnit;
}
