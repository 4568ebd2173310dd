using System.Collections;
using System.Globalization;
using Google.Protobuf;
using Duration = Google.Protobuf.WellKnownTypes.Duration;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;
using RemoteModel.Models.V1;
using Type = System.Type;
using Value = RemoteModel.Models.V1.Value;
using ValueType = RemoteModel.Models.V1.ValueType;

namespace RemoteModel.Models.Values;

/// <summary>
/// Lossless conversion between CLR values and <see cref="Value"/>, driven by the CLR type: bool,
/// every integer type (range checked), double and float (integers widen; a double becomes an
/// integer only when integral), string, byte[], DateTime and DateTimeOffset (timestamps),
/// TimeSpan (durations), enums (by member name), lists and arrays, string-keyed dictionaries.
/// </summary>
internal static class ValueCodec
{
    /// <summary>Whether values of <paramref name="type"/> can be carried, and if not why.</summary>
    public static string? Unsupported(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(t))
        {
            return null;
        }

        if (ListElement(t) is { } element)
        {
            return Unsupported(element);
        }

        if (MapElement(t) is { } mapped)
        {
            return Unsupported(mapped);
        }

        return $"{t.Name} is not a value type the model protocol carries (bool, integers, double, float, string, byte[], DateTime, DateTimeOffset, TimeSpan, enums, lists, string-keyed dictionaries)";
    }

    /// <summary>The wire type of <paramref name="type"/>.</summary>
    public static TypeInfo Describe(Type type, bool nullable)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        var t = underlying ?? type;
        var info = new TypeInfo { Nullable = nullable || underlying is not null };
        if (t.IsEnum)
        {
            info.Type = ValueType.Enum;
            info.EnumMembers.AddRange(System.Enum.GetNames(t));
        }
        else if (IsScalar(t))
        {
            info.Type = ScalarType(t);
        }
        else if (ListElement(t) is { } element)
        {
            info.Type = ValueType.List;
            info.Element = Describe(element, !element.IsValueType);
        }
        else if (MapElement(t) is { } mapped)
        {
            info.Type = ValueType.Map;
            info.Element = Describe(mapped, !mapped.IsValueType);
        }

        return info;
    }

    /// <summary>A CLR value on the wire, by its runtime type.</summary>
    public static Value ToValue(object? value)
    {
        switch (value)
        {
            case null:
                return new Value();
            case Value v:
                return v.Clone();
            case bool b:
                return new Value { BoolValue = b };
            case sbyte or byte or short or ushort or int or uint or long:
                return new Value { IntValue = Convert.ToInt64(value, CultureInfo.InvariantCulture) };
            case ulong u:
                return u <= long.MaxValue
                    ? new Value { IntValue = (long)u }
                    : throw new ModelException(ModelErrorReason.OutOfRange, $"{u} does not fit the protocol's 64-bit signed integer");
            case double d:
                return new Value { DoubleValue = d };
            case float f:
                return new Value { DoubleValue = f };
            case string s:
                return new Value { StringValue = s };
            case byte[] bytes:
                return new Value { BytesValue = ByteString.CopyFrom(bytes) };
            case DateTime dt:
                return new Value { TimestampValue = Timestamp.FromDateTime(dt.Kind == DateTimeKind.Utc ? dt : dt.Kind == DateTimeKind.Local ? dt.ToUniversalTime() : DateTime.SpecifyKind(dt, DateTimeKind.Utc)) };
            case DateTimeOffset dto:
                return new Value { TimestampValue = Timestamp.FromDateTimeOffset(dto) };
            case TimeSpan ts:
                return new Value { DurationValue = Duration.FromTimeSpan(ts) };
            case System.Enum e:
                return new Value { EnumValue = e.ToString() };
            case IDictionary dictionary:
                var map = new ValueMap();
                foreach (DictionaryEntry entry in dictionary)
                {
                    map.Entries[entry.Key as string ?? throw new ModelException(ModelErrorReason.InvalidArgument, $"map keys must be strings, not {entry.Key.GetType().Name}")] = ToValue(entry.Value);
                }

                return new Value { MapValue = map };
            case IEnumerable items:
                var list = new ValueList();
                foreach (var item in items)
                {
                    list.Items.Add(ToValue(item));
                }

                return new Value { ListValue = list };
            default:
                throw new ModelException(ModelErrorReason.InvalidArgument, $"{value.GetType().Name} is not a value type the model protocol carries");
        }
    }

    /// <summary>A wire value as a <paramref name="target"/>; <paramref name="what"/> names it in errors ("property 'Speed'").</summary>
    public static object? FromValue(Value? value, Type target, bool nullable, string what)
    {
        var underlying = Nullable.GetUnderlyingType(target);
        var t = underlying ?? target;
        if (value is null || value.KindCase == Value.KindOneofCase.None)
        {
            return nullable || underlying is not null ? null : throw Mismatch(what, t, value);
        }

        if (t == typeof(bool))
        {
            return value.KindCase == Value.KindOneofCase.BoolValue ? value.BoolValue : throw Mismatch(what, t, value);
        }

        if (IsInteger(t))
        {
            return ToInteger(value, t, what);
        }

        if (t == typeof(double) || t == typeof(float))
        {
            var d = value.KindCase switch
            {
                Value.KindOneofCase.DoubleValue => value.DoubleValue,
                Value.KindOneofCase.IntValue => value.IntValue,
                _ => throw Mismatch(what, t, value),
            };
            if (t == typeof(double))
            {
                return d;
            }

            return double.IsFinite(d) && Math.Abs(d) > float.MaxValue
                ? throw new ModelException(ModelErrorReason.OutOfRange, $"{what}: {d.ToString(CultureInfo.InvariantCulture)} is outside the range of Single")
                : (float)d;
        }

        if (t == typeof(string))
        {
            return value.KindCase == Value.KindOneofCase.StringValue ? value.StringValue : throw Mismatch(what, t, value);
        }

        if (t == typeof(byte[]))
        {
            return value.KindCase == Value.KindOneofCase.BytesValue ? value.BytesValue.ToByteArray() : throw Mismatch(what, t, value);
        }

        if (t == typeof(DateTime) || t == typeof(DateTimeOffset))
        {
            if (value.KindCase != Value.KindOneofCase.TimestampValue)
            {
                throw Mismatch(what, t, value);
            }

            return t == typeof(DateTime) ? (object)value.TimestampValue.ToDateTime() : value.TimestampValue.ToDateTimeOffset();
        }

        if (t == typeof(TimeSpan))
        {
            return value.KindCase == Value.KindOneofCase.DurationValue ? value.DurationValue.ToTimeSpan() : throw Mismatch(what, t, value);
        }

        if (t.IsEnum)
        {
            var name = value.KindCase switch
            {
                Value.KindOneofCase.EnumValue => value.EnumValue,
                Value.KindOneofCase.StringValue => value.StringValue,
                _ => throw Mismatch(what, t, value),
            };
            var names = System.Enum.GetNames(t);
            return names.Contains(name, StringComparer.Ordinal)
                ? System.Enum.Parse(t, name)
                : throw new ModelException(ModelErrorReason.InvalidArgument,
                    $"{what}: '{name}' is not a member of {t.Name} ({string.Join(", ", names)})");
        }

        if (ListElement(t) is { } element)
        {
            if (value.KindCase != Value.KindOneofCase.ListValue)
            {
                throw Mismatch(what, t, value);
            }

            var items = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            var index = 0;
            foreach (var item in value.ListValue.Items)
            {
                items.Add(FromValue(item, element, !element.IsValueType, $"{what}[{index++}]"));
            }

            if (!t.IsArray)
            {
                return items;
            }

            var array = System.Array.CreateInstance(element, items.Count);
            items.CopyTo(array, 0);
            return array;
        }

        if (MapElement(t) is { } mapped)
        {
            if (value.KindCase != Value.KindOneofCase.MapValue)
            {
                throw Mismatch(what, t, value);
            }

            var map = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), mapped))!;
            foreach (var (key, item) in value.MapValue.Entries)
            {
                map[key] = FromValue(item, mapped, !mapped.IsValueType, $"{what}['{key}']");
            }

            return map;
        }

        throw new ModelException(ModelErrorReason.InvalidArgument, $"{what}: {Unsupported(t)}");
    }

    /// <summary>How a type reads in error messages: <c>INT (Int32)</c>, <c>LIST of DOUBLE (Double)</c>.</summary>
    public static string Label(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsEnum)
        {
            return $"ENUM {t.Name}";
        }

        if (IsScalar(t))
        {
            return $"{ScalarType(t).ToString().ToUpperInvariant()} ({t.Name})";
        }

        return ListElement(t) is { } element ? $"LIST of {Label(element)}"
            : MapElement(t) is { } mapped ? $"MAP of {Label(mapped)}"
            : t.Name;
    }

    /// <summary>How a wire value reads in error messages: <c>STRING "abc"</c>, <c>no value</c>.</summary>
    public static string Label(Value? value)
    {
        if (value is null || value.KindCase == Value.KindOneofCase.None)
        {
            return "no value";
        }

        var kind = value.KindCase.ToString().Replace("Value", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        var shown = value.ToDisplayString();
        return $"{kind} {(shown.Length > 40 ? shown[..40] + "..." : shown)}";
    }

    private static ModelException Mismatch(string what, Type expected, Value? actual) =>
        new(ModelErrorReason.InvalidArgument, $"{what}: expected {Label(expected)}, got {Label(actual)}");

    private static object ToInteger(Value value, Type t, string what)
    {
        long n;
        switch (value.KindCase)
        {
            case Value.KindOneofCase.IntValue:
                n = value.IntValue;
                break;
            case Value.KindOneofCase.DoubleValue when double.IsFinite(value.DoubleValue) && Math.Floor(value.DoubleValue) == value.DoubleValue:
                var d = value.DoubleValue;
                if (d < long.MinValue || d >= 9223372036854775808.0)
                {
                    throw OutOfIntegerRange(what, d.ToString("R", CultureInfo.InvariantCulture), t);
                }

                n = (long)d;
                break;
            case Value.KindOneofCase.DoubleValue:
                throw new ModelException(ModelErrorReason.InvalidArgument,
                    $"{what}: expected {Label(t)}, got DOUBLE {value.DoubleValue.ToString("R", CultureInfo.InvariantCulture)}, which is not a whole number");
            default:
                throw Mismatch(what, t, value);
        }

        try
        {
            return t == typeof(ulong)
                ? n >= 0 ? (ulong)n : throw new OverflowException()
                : Convert.ChangeType(n, t, CultureInfo.InvariantCulture);
        }
        catch (OverflowException)
        {
            throw OutOfIntegerRange(what, n.ToString(CultureInfo.InvariantCulture), t);
        }
    }

    private static ModelException OutOfIntegerRange(string what, string shown, Type t) =>
        new(ModelErrorReason.OutOfRange, $"{what}: {shown} is outside the range of {t.Name} ({t.GetField("MinValue")!.GetValue(null)}..{t.GetField("MaxValue")!.GetValue(null)})");

    private static bool IsInteger(Type t) =>
        t == typeof(sbyte) || t == typeof(byte) || t == typeof(short) || t == typeof(ushort) ||
        t == typeof(int) || t == typeof(uint) || t == typeof(long) || t == typeof(ulong);

    private static bool IsScalar(Type t) =>
        t == typeof(bool) || IsInteger(t) || t == typeof(double) || t == typeof(float) || t == typeof(string) ||
        t == typeof(byte[]) || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(TimeSpan) || t.IsEnum;

    private static ValueType ScalarType(Type t) =>
        t == typeof(bool) ? ValueType.Bool
        : IsInteger(t) ? ValueType.Int
        : t == typeof(double) || t == typeof(float) ? ValueType.Double
        : t == typeof(string) ? ValueType.String
        : t == typeof(byte[]) ? ValueType.Bytes
        : t == typeof(TimeSpan) ? ValueType.Duration
        : t.IsEnum ? ValueType.Enum
        : ValueType.Timestamp;

    private static readonly Type[] ListShapes = [typeof(List<>), typeof(IList<>), typeof(IReadOnlyList<>), typeof(ICollection<>), typeof(IReadOnlyCollection<>), typeof(IEnumerable<>)];

    private static readonly Type[] MapShapes = [typeof(Dictionary<,>), typeof(IDictionary<,>), typeof(IReadOnlyDictionary<,>)];

    private static Type? ListElement(Type t) =>
        t.IsArray && t != typeof(byte[]) && t.GetArrayRank() == 1 ? t.GetElementType()
        : t.IsGenericType && ListShapes.Contains(t.GetGenericTypeDefinition()) ? t.GetGenericArguments()[0]
        : null;

    private static Type? MapElement(Type t) =>
        t.IsGenericType && MapShapes.Contains(t.GetGenericTypeDefinition()) && t.GetGenericArguments()[0] == typeof(string)
            ? t.GetGenericArguments()[1]
            : null;
}
