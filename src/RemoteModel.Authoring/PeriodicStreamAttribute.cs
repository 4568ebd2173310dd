namespace RemoteModel.Models;

/// <summary>
/// Declares a periodic stream: the named properties, sampled at a rate that controllers change
/// at run time with SetStreamRate, sent to the viewers that ask for the stream.
/// </summary>
/// <param name="name">The stream's name.</param>
/// <param name="properties">The properties each sample carries.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
public sealed class PeriodicStreamAttribute(string name, params string[] properties) : Attribute
{
    /// <summary>The stream's name.</summary>
    public string Name { get; } = name;

    /// <summary>The properties each sample carries.</summary>
    public IReadOnlyList<string> Properties { get; } = properties;

    /// <summary>The rate the stream starts at, in samples a second; 0 (default): it starts disabled.</summary>
    public double RateHz { get; set; }

    /// <summary>The highest rate SetStreamRate accepts. Default 100.</summary>
    public double MaxRateHz { get; set; } = 100;
}
