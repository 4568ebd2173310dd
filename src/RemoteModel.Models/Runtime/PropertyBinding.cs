using System.Reflection;
using RemoteModel.Models.V1;
using RemoteModel.Models.Values;

namespace RemoteModel.Models.Runtime;

/// <summary>One published property of a model class: how to read, convert, check and write it.</summary>
internal sealed class PropertyBinding
{
    private readonly PropertyInfo _property;
    private readonly ValueRange _range;
    private readonly string _description;

    public PropertyBinding(PropertyInfo property, NullabilityInfoContext nullability)
    {
        _property = property;
        Name = property.Name;
        Type = property.PropertyType;
        Nullable = !Type.IsValueType && nullability.Create(property).ReadState == NullabilityState.Nullable;
        ReadOnly = property.SetMethod is not { IsPublic: true };
        var attribute = property.GetCustomAttribute<ModelPropertyAttribute>();
        _range = ValueRange.From(attribute);
        _description = attribute?.Description ?? string.Empty;
        Limits = attribute is null ? AlarmLimits.None
            : new AlarmLimits(attribute.LowAlarm, attribute.LowWarning, attribute.HighWarning, attribute.HighAlarm, attribute.AlarmHysteresis);
        var problem = Limits.Any && !ValueRange.IsNumeric(Type) ? "alarm and warning limits apply to numbers only" : Limits.Problem();
        if (problem is not null)
        {
            throw new ArgumentException($"{property.DeclaringType?.Name}.{Name}: {problem}.");
        }
    }

    /// <summary>Its alarm and warning limits (<see cref="AlarmLimits.None"/> when it declares none).</summary>
    public AlarmLimits Limits { get; }

    /// <summary>What a deadband needs to know of it.</summary>
    public DeadbandTarget DeadbandTarget => new(ValueRange.IsNumeric(Type), _range.Minimum, _range.Maximum);

    public string Name { get; }

    public Type Type { get; }

    public bool Nullable { get; }

    public bool ReadOnly { get; }

    public object? Get(object model) => _property.GetValue(model, BindingFlags.DoNotWrapExceptions, null, null, null);

    public Value Read(object model) => ValueCodec.ToValue(Get(model));

    public void Set(object model, object? value) => _property.SetValue(model, value, BindingFlags.DoNotWrapExceptions, null, null, null);

    /// <summary>The wire value as this property's type, range checked; throws <see cref="ModelException"/>.</summary>
    public object? Convert(Value value) => _range.Convert(value, Type, Nullable, $"property '{Name}'");

    public PropertyDescription Describe()
    {
        var (minimum, maximum) = _range.Describe(Type);
        return new PropertyDescription
        {
            Name = Name,
            Type = ValueCodec.Describe(Type, Nullable),
            Unit = _range.Unit,
            Description = _description,
            ReadOnly = ReadOnly,
            Minimum = minimum,
            Maximum = maximum,
            LowAlarm = ValueRange.Typed(Type, Limits.LowAlarm),
            LowWarning = ValueRange.Typed(Type, Limits.LowWarning),
            HighWarning = ValueRange.Typed(Type, Limits.HighWarning),
            HighAlarm = ValueRange.Typed(Type, Limits.HighAlarm),
        };
    }
}
