namespace RemoteModel.Models;

/// <summary>The quality a model gives one of its values itself (see <see cref="PropertyStateChangedEventArgs"/>).</summary>
public enum ReportedQuality
{
    /// <summary>The server computes it from the property's alarm and warning limits (the default).</summary>
    FromLimits = 0,

    /// <summary>Trusted, whatever the limits say.</summary>
    Valid,

    /// <summary>Beyond what is normal, not yet an alarm.</summary>
    Warning,

    /// <summary>An alarm.</summary>
    Alarm,

    /// <summary>Not to be trusted whatever its number: a sensor that lost its link, a driver that timed out.</summary>
    Invalid,
}
