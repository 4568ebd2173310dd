using System.ComponentModel;

namespace RemoteModel.Models;

/// <summary>
/// Raised as a PropertyChanged event, tells what a model knows about a property's value besides the
/// value: the quality it gives it (a sensor that lost its link is <see cref="ReportedQuality.Invalid"/>
/// whatever its last number) and when it changed at its source (a driver's own timestamp). It is a
/// change like any other (one version, delivered to every viewer) even when the value did not move.
/// A quality given here holds until the model raises this again for the property; plain
/// PropertyChanged events in between change the value and leave the quality as given.
/// </summary>
/// <param name="propertyName">The property.</param>
public sealed class PropertyStateChangedEventArgs(string propertyName) : PropertyChangedEventArgs(propertyName)
{
    /// <summary>The quality; <see cref="ReportedQuality.FromLimits"/> (default) hands it back to the limits.</summary>
    public ReportedQuality Quality { get; init; }

    /// <summary>Why, in words, for a quality other than VALID: "sensor link lost".</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>When the value changed at its source; null: when the server sees the change.</summary>
    public DateTimeOffset? SourceTime { get; init; }
}
