using System.ComponentModel;

namespace RemoteModel.Models;

/// <summary>
/// Tells that several properties changed together: raised as one PropertyChanged event, it
/// becomes one change (one version, one notification) instead of one per property. Other
/// listeners see a null <see cref="PropertyChangedEventArgs.PropertyName"/>, which by the .NET
/// convention means "reread everything".
/// </summary>
/// <param name="propertyNames">The properties that changed.</param>
public sealed class PropertiesChangedEventArgs(params string[] propertyNames) : PropertyChangedEventArgs(null)
{
    /// <summary>The properties that changed.</summary>
    public IReadOnlyList<string> PropertyNames { get; } = propertyNames;
}
