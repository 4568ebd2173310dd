using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using RemoteModel.Models.V1;

namespace RemoteModel.Models;

/// <summary>Renders values as readable JSON, for people: logs, consoles, audit listings.</summary>
public static class ValueFormatter
{
    private static readonly JsonSerializerOptions StringOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// One value: <c>null</c>, <c>true</c>, <c>42</c>, <c>1.5</c>, <c>"text"</c>, bytes as
    /// <c>"0x0a0b"</c>, a timestamp as <c>"2026-01-01T00:00:00Z"</c>, a duration as <c>"1.5s"</c>,
    /// an enum member as <c>"Fast"</c>, lists as <c>[...]</c>, maps as <c>{"key": ...}</c>.
    /// </summary>
    public static string ToDisplayString(this Value? value)
    {
        var text = new StringBuilder();
        Append(text, value);
        return text.ToString();
    }

    /// <summary>Several named values as one JSON object, keys in order: <c>{"a": 1, "b": "x"}</c>.</summary>
    public static string ToDisplayString(this IEnumerable<KeyValuePair<string, Value>> values)
    {
        var text = new StringBuilder();
        AppendMap(text, values);
        return text.ToString();
    }

    private static void Append(StringBuilder text, Value? value)
    {
        switch (value?.KindCase ?? Value.KindOneofCase.None)
        {
            case Value.KindOneofCase.None:
                text.Append("null");
                break;
            case Value.KindOneofCase.BoolValue:
                text.Append(value!.BoolValue ? "true" : "false");
                break;
            case Value.KindOneofCase.IntValue:
                text.Append(value!.IntValue.ToString(CultureInfo.InvariantCulture));
                break;
            case Value.KindOneofCase.DoubleValue:
                var d = value!.DoubleValue;
                text.Append(double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : Quote(d.ToString(CultureInfo.InvariantCulture)));
                break;
            case Value.KindOneofCase.StringValue:
                text.Append(Quote(value!.StringValue));
                break;
            case Value.KindOneofCase.BytesValue:
                text.Append('"').Append("0x").Append(Convert.ToHexStringLower(value!.BytesValue.Span)).Append('"');
                break;
            case Value.KindOneofCase.TimestampValue:
                text.Append(Quote(value!.TimestampValue.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)));
                break;
            case Value.KindOneofCase.DurationValue:
                text.Append(Quote(value!.DurationValue.ToTimeSpan().TotalSeconds.ToString("R", CultureInfo.InvariantCulture) + "s"));
                break;
            case Value.KindOneofCase.EnumValue:
                text.Append(Quote(value!.EnumValue));
                break;
            case Value.KindOneofCase.ListValue:
                text.Append('[');
                var first = true;
                foreach (var item in value!.ListValue.Items)
                {
                    text.Append(first ? string.Empty : ", ");
                    first = false;
                    Append(text, item);
                }

                text.Append(']');
                break;
            case Value.KindOneofCase.MapValue:
                AppendMap(text, value!.MapValue.Entries);
                break;
        }
    }

    private static void AppendMap(StringBuilder text, IEnumerable<KeyValuePair<string, Value>> entries)
    {
        text.Append('{');
        var first = true;
        foreach (var (key, item) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Append(first ? string.Empty : ", ").Append(Quote(key)).Append(": ");
            first = false;
            Append(text, item);
        }

        text.Append('}');
    }

    private static string Quote(string text) => JsonSerializer.Serialize(text, StringOptions);
}
