using System.Collections;
using System.Diagnostics.CodeAnalysis;
using RemoteModel.Models.V1;

namespace RemoteModel.Client;

/// <summary>
/// A model's property values at one version, by name: what a Query read or a Modify applied.
/// Prints as <c>{ Price = 101.2, Rate = 1 } @v42</c>.
/// </summary>
public sealed class ModelSnapshot : IReadOnlyDictionary<string, object?>
{
    private readonly IReadOnlyDictionary<string, object?> _values;

    internal ModelSnapshot(string model, long version, DateTimeOffset? time, IEnumerable<KeyValuePair<string, Value>> values)
    {
        Model = model;
        Version = version;
        Time = time;
        WireValues = values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        _values = Client.WireValues.ToObjects(WireValues);
    }

    /// <summary>The model the values are of.</summary>
    public string Model { get; }

    /// <summary>The model's version the values are as of.</summary>
    public long Version { get; }

    /// <summary>When the server read the values; null for values a Modify applied.</summary>
    public DateTimeOffset? Time { get; }

    /// <summary>The values as they came on the wire, typed.</summary>
    public IReadOnlyDictionary<string, Value> WireValues { get; }

    /// <inheritdoc />
    public int Count => _values.Count;

    /// <inheritdoc />
    public IEnumerable<string> Keys => _values.Keys;

    /// <inheritdoc />
    public IEnumerable<object?> Values => _values.Values;

    /// <summary>The value of <paramref name="key"/>: bool, long, double, string, byte[], DateTimeOffset, TimeSpan, an enum member's name, a list or a map.</summary>
    public object? this[string key] => _values[key];

    /// <inheritdoc />
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value) => _values.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary><c>{ Price = 101.2, Rate = 1 } @v42</c>.</summary>
    public override string ToString() => $"{ReadableText.Values(WireValues)} @v{Version}";
}
