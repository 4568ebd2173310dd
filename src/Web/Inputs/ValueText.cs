using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using RemoteModel.Models;
using RemoteModel.Models.V1;
using Value = RemoteModel.Models.V1.Value;
using ValueType = RemoteModel.Models.V1.ValueType;

namespace RemoteModel.Web.Inputs;

/// <summary>
/// What a person types into a generated input, read as a <see cref="Value"/> of the declared type,
/// and a value written back as such text. Numbers are invariant (a dot for decimals); timestamps
/// are UTC (<c>2026-01-01T12:00:00</c>, as a date-time input gives them, or with a <c>Z</c>);
/// durations are <c>1.5s</c>, <c>250ms</c>, <c>2m</c>, <c>1h</c> or <c>hh:mm:ss</c>; bytes are
/// <c>0x0a0b</c> or base64; lists and maps are JSON, their items written as in a single input.
/// </summary>
internal static class ValueText
{
    /// <summary>Reads <paramref name="text"/> as a value of <paramref name="type"/>.</summary>
    /// <param name="type">The declared type.</param>
    /// <param name="text">What was typed.</param>
    /// <param name="problem">Why it cannot be read, when it returns null.</param>
    public static Value? Parse(TypeInfo type, string text, out string? problem)
    {
        problem = null;
        if (text.Length == 0 && type.Nullable)
        {
            return new Value();
        }

        try
        {
            return type.Type switch
            {
                ValueType.List or ValueType.Map => FromJson(type, JsonDocument.Parse(text).RootElement),
                _ => Scalar(type, text.Trim()),
            };
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or JsonException or InvalidOperationException)
        {
            problem = ex.Message;
            return null;
        }
    }

    /// <summary>The text an input of <paramref name="type"/> starts with for <paramref name="value"/>.</summary>
    public static string Format(TypeInfo type, Value? value) => value?.KindCase switch
    {
        null or Value.KindOneofCase.None => string.Empty,
        Value.KindOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        Value.KindOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        Value.KindOneofCase.DoubleValue => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
        Value.KindOneofCase.StringValue => value.StringValue,
        Value.KindOneofCase.EnumValue => value.EnumValue,
        Value.KindOneofCase.BytesValue => "0x" + Convert.ToHexStringLower(value.BytesValue.Span),
        Value.KindOneofCase.TimestampValue => value.TimestampValue.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture),
        Value.KindOneofCase.DurationValue => value.DurationValue.ToTimeSpan().TotalSeconds.ToString("R", CultureInfo.InvariantCulture) + "s",
        _ => value.ToDisplayString(),
    };

    /// <summary>A number for a range hint or an input's min/max attribute; empty when unset.</summary>
    public static string Bound(Value? bound) => bound?.KindCase switch
    {
        Value.KindOneofCase.IntValue => bound.IntValue.ToString(CultureInfo.InvariantCulture),
        Value.KindOneofCase.DoubleValue => bound.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
        Value.KindOneofCase.None or null => string.Empty,
        _ => bound.ToDisplayString(),
    };

    private static Value Scalar(TypeInfo type, string text) => type.Type switch
    {
        ValueType.Bool => new Value
        {
            BoolValue = text.ToLowerInvariant() switch
            {
                "true" or "on" or "1" or "yes" => true,
                "false" or "off" or "0" or "no" => false,
                _ => throw new FormatException($"'{text}' is not true or false."),
            },
        },
        ValueType.Int => new Value
        {
            IntValue = long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i
                : throw new FormatException($"'{text}' is not a whole number."),
        },
        ValueType.Double => new Value
        {
            DoubleValue = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
                : throw new FormatException($"'{text}' is not a number."),
        },
        ValueType.String => new Value { StringValue = text },
        ValueType.Enum => new Value
        {
            EnumValue = type.EnumMembers.Contains(text) ? text
                : throw new FormatException($"'{text}' is not one of {string.Join(", ", type.EnumMembers)}."),
        },
        ValueType.Bytes => new Value { BytesValue = ByteString.CopyFrom(Bytes(text)) },
        ValueType.Timestamp => new Value { TimestampValue = Timestamp.FromDateTimeOffset(Time(text)) },
        ValueType.Duration => new Value { DurationValue = Duration.FromTimeSpan(Span(text)) },
        _ => throw new FormatException($"values of type {type.Type} cannot be typed in."),
    };

    private static byte[] Bytes(string text) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? Convert.FromHexString(text[2..]) : Convert.FromBase64String(text);

    private static DateTimeOffset Time(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw new FormatException($"'{text}' is not a date and time (2026-01-01T12:00:00, UTC).");

    private static TimeSpan Span(string text)
    {
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var count)
                && (suffix != "m" || !text.EndsWith("ms", StringComparison.Ordinal)))
            {
                return TimeSpan.FromSeconds(count * seconds);
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) ? span
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain) ? TimeSpan.FromSeconds(plain)
            : throw new FormatException($"'{text}' is not a duration (1.5s, 250ms, 2m, 1h or hh:mm:ss).");
    }

    private static Value FromJson(TypeInfo type, JsonElement json)
    {
        if (json.ValueKind == JsonValueKind.Null)
        {
            return new Value();
        }

        switch (type.Type)
        {
            case ValueType.List:
                if (json.ValueKind != JsonValueKind.Array)
                {
                    throw new FormatException($"expected a JSON list [...], not {json.ValueKind}.");
                }

                var list = new ValueList();
                list.Items.AddRange(json.EnumerateArray().Select(item => FromJson(type.Element ?? new TypeInfo { Type = ValueType.String }, item)));
                return new Value { ListValue = list };
            case ValueType.Map:
                if (json.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException($"expected a JSON object {{...}}, not {json.ValueKind}.");
                }

                var map = new ValueMap();
                foreach (var entry in json.EnumerateObject())
                {
                    map.Entries[entry.Name] = FromJson(type.Element ?? new TypeInfo { Type = ValueType.String }, entry.Value);
                }

                return new Value { MapValue = map };
            case ValueType.Bool when json.ValueKind is JsonValueKind.True or JsonValueKind.False:
                return new Value { BoolValue = json.GetBoolean() };
            case ValueType.Int or ValueType.Double when json.ValueKind == JsonValueKind.Number:
                return Scalar(type, json.GetRawText());
            case ValueType.String or ValueType.Enum or ValueType.Bytes or ValueType.Timestamp or ValueType.Duration when json.ValueKind == JsonValueKind.String:
                return Scalar(type, json.GetString()!);
            default:
                throw new FormatException($"{json.GetRawText()} is not a {type.Type.ToString().ToLowerInvariant()}.");
        }
    }
}
