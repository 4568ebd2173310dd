namespace RemoteModel.Models;

/// <summary>
/// Describes a model property, a configuration property or an operation parameter: its unit,
/// description and inclusive numeric bounds, and for a numeric property its alarm and warning
/// limits, from which the server gives each value its quality. Optional: every public readable property is published.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, Inherited = true)]
public sealed class ModelPropertyAttribute : Attribute
{
    /// <summary>The unit (<c>mm</c>, <c>degC</c>); empty when none.</summary>
    public string Unit { get; set; } = string.Empty;

    /// <summary>What it is, for people.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>The smallest value accepted (inclusive), for numbers; NaN (default): unbounded.</summary>
    public double Minimum { get; set; } = double.NaN;

    /// <summary>The largest value accepted (inclusive), for numbers; NaN (default): unbounded.</summary>
    public double Maximum { get; set; } = double.NaN;

    /// <summary>A value strictly below it has quality ALARM (Tango's min_alarm, EPICS LOLO); NaN (default): none. Model properties only.</summary>
    public double LowAlarm { get; set; } = double.NaN;

    /// <summary>A value strictly below it has quality WARNING (Tango's min_warning, EPICS LOW); NaN (default): none.</summary>
    public double LowWarning { get; set; } = double.NaN;

    /// <summary>A value strictly above it has quality WARNING (Tango's max_warning, EPICS HIGH); NaN (default): none.</summary>
    public double HighWarning { get; set; } = double.NaN;

    /// <summary>A value strictly above it has quality ALARM (Tango's max_alarm, EPICS HIHI); NaN (default): none.</summary>
    public double HighAlarm { get; set; } = double.NaN;

    /// <summary>
    /// How far back inside a limit a value must come before its WARNING or ALARM eases (EPICS HYST),
    /// so a value hovering at a limit does not raise and clear it on every change; 0 (default): none.
    /// </summary>
    public double AlarmHysteresis { get; set; }
}
