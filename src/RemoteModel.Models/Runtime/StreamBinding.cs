using RemoteModel.Models.V1;

namespace RemoteModel.Models.Runtime;

/// <summary>A declared periodic stream and its current rate; changed only under the host's change lock.</summary>
internal sealed class StreamBinding(PeriodicStreamAttribute declared, IReadOnlyList<PropertyBinding> properties)
{
    public string Name { get; } = declared.Name;

    public IReadOnlyList<PropertyBinding> Properties { get; } = properties;

    public double MaxRateHz { get; } = declared.MaxRateHz;

    public double RateHz { get; set; } = declared.RateHz;

    public ITimer? Timer { get; set; }

    public PeriodicStreamDescription Describe()
    {
        var description = new PeriodicStreamDescription { Name = Name, RateHz = RateHz, MaxRateHz = MaxRateHz, Enabled = RateHz > 0 };
        description.Properties.AddRange(Properties.Select(p => p.Name));
        return description;
    }
}
