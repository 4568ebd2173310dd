using System.Globalization;
using System.Text;

namespace RemoteModel.Naming.Consul;

/// <summary>
/// Durations as Consul reads them: Go's <c>time.Duration</c> text ("10s", "1m0s", "1.5s",
/// "250ms"), written the way Go writes them, to millisecond precision.
/// </summary>
internal static class GoDuration
{
    /// <summary>Go's spelling of <paramref name="span"/>, rounded to whole milliseconds (at least 1 ms when positive).</summary>
    public static string Format(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(span), span, "Consul durations are not negative.");
        }

        var milliseconds = (long)Math.Round(span.TotalMilliseconds, MidpointRounding.AwayFromZero);
        if (milliseconds == 0)
        {
            return span == TimeSpan.Zero ? "0s" : "1ms";
        }

        if (milliseconds < 1000)
        {
            return milliseconds.ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var text = new StringBuilder();
        var hours = milliseconds / 3_600_000;
        var minutes = milliseconds / 60_000 % 60;
        var seconds = milliseconds / 1000 % 60;
        var fraction = milliseconds % 1000;
        if (hours > 0)
        {
            text.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            text.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        text.Append(seconds.ToString(CultureInfo.InvariantCulture));
        if (fraction > 0)
        {
            text.Append('.').Append(fraction.ToString("000", CultureInfo.InvariantCulture).TrimEnd('0'));
        }

        return text.Append('s').ToString();
    }
}
