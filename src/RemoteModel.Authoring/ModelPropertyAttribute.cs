namespace RemoteModel.Models;

/// <summary>
/// Describes a model property, a configuration property or an operation parameter: its unit,
/// description and inclusive numeric bounds. Optional: every public readable property is published.
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
}
