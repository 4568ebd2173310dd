using RemoteModel.Models.V1;
using RemoteModel.Models.Values;

namespace RemoteModel.Models.Runtime;

/// <summary>One parameter of an operation or of the lifecycle's configuration: type, default, bounds.</summary>
internal sealed class ParameterBinding(string name, Type type, bool nullable, bool hasDefault, object? defaultValue, ModelPropertyAttribute? attribute)
{
    private readonly ValueRange _range = ValueRange.From(attribute);
    private readonly string _description = attribute?.Description ?? string.Empty;

    public string Name { get; } = name;

    public Type Type { get; } = type;

    public bool HasDefault { get; } = hasDefault;

    public object? DefaultValue { get; } = defaultValue;

    /// <summary>The wire value as this parameter's type, range checked; throws <see cref="ModelException"/>.</summary>
    public object? Convert(Value value, string owner) => _range.Convert(value, Type, nullable, $"parameter '{Name}' of '{owner}'");

    public ParameterDescription Describe()
    {
        var (minimum, maximum) = _range.Describe(Type);
        return new ParameterDescription
        {
            Name = Name,
            Type = ValueCodec.Describe(Type, nullable),
            Unit = _range.Unit,
            Description = _description,
            DefaultValue = HasDefault ? ValueCodec.ToValue(DefaultValue) : null,
            Minimum = minimum,
            Maximum = maximum,
        };
    }
}
