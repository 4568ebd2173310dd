using System.Globalization;
using RemoteModel.Models.V1;

namespace RemoteModel.Models.Runtime;

/// <summary>The quality a value has against its property's limits, why, and which limit decided it.</summary>
/// <param name="Quality">VALID, WARNING or ALARM (INVALID for a number that is not a number).</param>
/// <param name="Reason">In words, empty when VALID: "above high alarm limit 120".</param>
/// <param name="Limit">The limit crossed, NaN when none.</param>
internal readonly record struct LimitVerdict(Quality Quality, string Reason, double Limit)
{
    public static readonly LimitVerdict Valid = new(Quality.Valid, string.Empty, double.NaN);
}

/// <summary>
/// A numeric property's alarm and warning limits (Tango's min/max alarm and warning, EPICS's
/// LOLO/LOW/HIGH/HIHI): a value strictly below a low or above a high limit is beyond it, a value
/// exactly at a limit is not. With a hysteresis (EPICS HYST), a quality only eases once the value
/// is back inside the limit by at least the hysteresis, so a value hovering at a limit does not
/// raise and clear the alarm on every change. NaN where a limit is not set.
/// </summary>
internal sealed record AlarmLimits(double LowAlarm, double LowWarning, double HighWarning, double HighAlarm, double Hysteresis)
{
    /// <summary>No limits: every value is VALID.</summary>
    public static readonly AlarmLimits None = new(double.NaN, double.NaN, double.NaN, double.NaN, 0);

    /// <summary>Whether any limit is set.</summary>
    public bool Any => !double.IsNaN(LowAlarm) || !double.IsNaN(LowWarning) || !double.IsNaN(HighWarning) || !double.IsNaN(HighAlarm);

    /// <summary>What is wrong with these limits (out of order, a negative hysteresis), or null.</summary>
    public string? Problem()
    {
        double[] ordered = [.. new[] { LowAlarm, LowWarning, HighWarning, HighAlarm }.Where(l => !double.IsNaN(l))];
        for (var i = 1; i < ordered.Length; i++)
        {
            if (ordered[i] < ordered[i - 1])
            {
                return $"its limits must be ordered low alarm <= low warning <= high warning <= high alarm, not {Describe()}";
            }
        }

        return double.IsFinite(Hysteresis) && Hysteresis >= 0 ? null : $"its alarm hysteresis must be 0 or positive, not {Hysteresis}";
    }

    /// <summary>
    /// The quality of <paramref name="value"/> (a wire value: numbers are measured, anything else,
    /// null included, is VALID) after <paramref name="previous"/>, the quality these limits gave
    /// the value before. NaN cannot be measured against limits: with any limit set it is INVALID.
    /// </summary>
    public LimitVerdict Evaluate(Value value, Quality previous)
    {
        if (!Any)
        {
            return LimitVerdict.Valid;
        }

        double number;
        switch (value.KindCase)
        {
            case Value.KindOneofCase.DoubleValue:
                number = value.DoubleValue;
                break;
            case Value.KindOneofCase.IntValue:
                number = value.IntValue;
                break;
            default:
                return LimitVerdict.Valid;
        }

        if (double.IsNaN(number))
        {
            return new LimitVerdict(Quality.Invalid, "not a number: it cannot be compared with its limits", double.NaN);
        }

        var now = Measure(number, 0);
        if (Hysteresis == 0 || previous is not (Quality.Warning or Quality.Alarm) || Severity(previous) <= Severity(now.Quality))
        {
            return now;
        }

        // Easing: the previous quality holds while the value is still within the hysteresis of the limit it crossed.
        var held = Measure(number, Hysteresis);
        return Severity(held.Quality) > Severity(now.Quality) && Severity(held.Quality) <= Severity(previous) ? held : now;
    }

    /// <summary>The quality against the limits moved <paramref name="inward"/> towards the normal band (the hysteresis, or 0).</summary>
    private LimitVerdict Measure(double number, double inward)
    {
        if (number > HighAlarm - inward)
        {
            return Beyond(Quality.Alarm, "above high alarm limit", HighAlarm);
        }

        if (number < LowAlarm + inward)
        {
            return Beyond(Quality.Alarm, "below low alarm limit", LowAlarm);
        }

        if (number > HighWarning - inward)
        {
            return Beyond(Quality.Warning, "above high warning limit", HighWarning);
        }

        return number < LowWarning + inward ? Beyond(Quality.Warning, "below low warning limit", LowWarning) : LimitVerdict.Valid;
    }

    private static LimitVerdict Beyond(Quality quality, string where, double limit) =>
        new(quality, $"{where} {limit.ToString("R", CultureInfo.InvariantCulture)}", limit);

    /// <summary>VALID (and unspecified) &lt; WARNING &lt; ALARM &lt; INVALID.</summary>
    public static int Severity(Quality quality) => quality switch
    {
        Quality.Warning => 1,
        Quality.Alarm => 2,
        Quality.Invalid => 3,
        _ => 0,
    };

    private string Describe() => string.Join(", ",
        new[] { ("low alarm", LowAlarm), ("low warning", LowWarning), ("high warning", HighWarning), ("high alarm", HighAlarm) }
            .Where(l => !double.IsNaN(l.Item2))
            .Select(l => $"{l.Item1} {l.Item2.ToString("R", CultureInfo.InvariantCulture)}"));
}
