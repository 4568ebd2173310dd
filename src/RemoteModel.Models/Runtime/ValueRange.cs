using System.Globalization;
using RemoteModel.Models.V1;
using RemoteModel.Models.Values;

namespace RemoteModel.Models.Runtime;

/// <summary>The inclusive numeric bounds of a property or parameter, from <see cref="ModelPropertyAttribute"/>.</summary>
internal readonly record struct ValueRange(double Minimum, double Maximum, string Unit)
{
    public static ValueRange From(ModelPropertyAttribute? attribute) =>
        new(attribute?.Minimum ?? double.NaN, attribute?.Maximum ?? double.NaN, attribute?.Unit ?? string.Empty);

    /// <summary>
    /// The wire value as <paramref name="type"/>, within the bounds; throws
    /// <see cref="ModelException"/> (INVALID_ARGUMENT, OUT_OF_RANGE) naming <paramref name="what"/>.
    /// </summary>
    public object? Convert(Value value, Type type, bool nullable, string what)
    {
        var converted = ValueCodec.FromValue(value, type, nullable, what);
        Check(converted, what);
        return converted;
    }

    private void Check(object? value, string what)
    {
        if (value is null or string or bool or System.Enum || (double.IsNaN(Minimum) && double.IsNaN(Maximum)))
        {
            return;
        }

        if (value is IConvertible convertible && value is not DateTime)
        {
            var d = convertible.ToDouble(CultureInfo.InvariantCulture);
            if ((!double.IsNaN(Minimum) && !(d >= Minimum)) || (!double.IsNaN(Maximum) && !(d <= Maximum)))
            {
                throw new ModelException(ModelErrorReason.OutOfRange,
                    $"{what}: {d.ToString("R", CultureInfo.InvariantCulture)} is outside {Bound(Minimum)}..{Bound(Maximum)}{(Unit.Length > 0 ? " " + Unit : string.Empty)}");
            }
        }
    }

    /// <summary>The bounds as wire values of the property's type: integers for integer properties.</summary>
    public (Value? Minimum, Value? Maximum) Describe(Type type) => (Typed(type, Minimum), Typed(type, Maximum));

    /// <summary>A bound or limit as a wire value of <paramref name="type"/> (an integer for integer types), null when NaN (none).</summary>
    public static Value? Typed(Type type, double bound) =>
        double.IsNaN(bound) ? null : IsIntegral(type) ? new Value { IntValue = (long)bound } : new Value { DoubleValue = bound };

    /// <summary>Whether values of <paramref name="type"/> are numbers (integers or floating point, nullable or not).</summary>
    public static bool IsNumeric(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return IsIntegral(t) || t == typeof(float) || t == typeof(double);
    }

    private static bool IsIntegral(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(sbyte) || t == typeof(byte) || t == typeof(short) || t == typeof(ushort) ||
            t == typeof(int) || t == typeof(uint) || t == typeof(long) || t == typeof(ulong);
    }

    private static string Bound(double bound) => double.IsNaN(bound) ? string.Empty : bound.ToString("R", CultureInfo.InvariantCulture);
}
