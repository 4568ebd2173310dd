using RemoteModel.Models;
using RemoteModel.Models.V1;

namespace RemoteModel.Client;

/// <summary>Wire values as the CLR values they naturally are, for callers that know no schema.</summary>
internal static class WireValues
{
    /// <summary>
    /// bool, long, double, string, byte[], DateTimeOffset, TimeSpan, an enum member's name as a
    /// string, a list as <c>List&lt;object?&gt;</c>, a map as <c>Dictionary&lt;string, object?&gt;</c>, no value as null.
    /// </summary>
    public static object? ToObject(Value? value) => value?.KindCase switch
    {
        null or Value.KindOneofCase.None => null,
        Value.KindOneofCase.BoolValue => ModelValues.FromValue<bool>(value),
        Value.KindOneofCase.IntValue => ModelValues.FromValue<long>(value),
        Value.KindOneofCase.DoubleValue => ModelValues.FromValue<double>(value),
        Value.KindOneofCase.StringValue => ModelValues.FromValue<string>(value),
        Value.KindOneofCase.BytesValue => ModelValues.FromValue<byte[]>(value),
        Value.KindOneofCase.TimestampValue => ModelValues.FromValue<DateTimeOffset>(value),
        Value.KindOneofCase.DurationValue => ModelValues.FromValue<TimeSpan>(value),
        Value.KindOneofCase.EnumValue => value.EnumValue,
        Value.KindOneofCase.ListValue => value.ListValue.Items.Select(ToObject).ToList(),
        Value.KindOneofCase.MapValue => value.MapValue.Entries.ToDictionary(e => e.Key, e => ToObject(e.Value), StringComparer.Ordinal),
        _ => throw new NotSupportedException($"A value of kind {value.KindCase} is not known to this client."),
    };

    /// <summary>Wire values by name as CLR values, in name order.</summary>
    public static IReadOnlyDictionary<string, object?> ToObjects(IEnumerable<KeyValuePair<string, Value>> values) =>
        values.OrderBy(v => v.Key, StringComparer.Ordinal).ToDictionary(v => v.Key, v => ToObject(v.Value), StringComparer.Ordinal);
}
