using System.Collections;
using System.Text;

namespace RemoteModel.Transport;

/// <summary>
/// Custom call metadata: headers and trailers. Keys are lower-case ASCII; a key ending in
/// <c>-bin</c> carries binary values, which travel base64-encoded as the gRPC spec requires.
/// </summary>
public sealed class Metadata : IReadOnlyList<Metadata.Entry>
{
    /// <summary>The suffix that marks a key whose values are binary.</summary>
    public const string BinarySuffix = "-bin";

    private readonly List<Entry> _entries = [];

    /// <summary>The number of entries.</summary>
    public int Count => _entries.Count;

    /// <summary>The entry at <paramref name="index"/>.</summary>
    public Entry this[int index] => _entries[index];

    /// <summary>Adds a text entry.</summary>
    /// <exception cref="ArgumentException">The key is not a valid metadata key or ends in <c>-bin</c>.</exception>
    public Metadata Add(string key, string value)
    {
        key = NormalizeKey(key);
        if (IsBinaryKey(key))
        {
            throw new ArgumentException($"Metadata key '{key}' ends in '{BinarySuffix}' and so takes a binary value.", nameof(key));
        }

        ArgumentNullException.ThrowIfNull(value);
        _entries.Add(new Entry(key, value, null));
        return this;
    }

    /// <summary>Adds a binary entry; the key must end in <c>-bin</c>.</summary>
    /// <exception cref="ArgumentException">The key is not a valid metadata key or does not end in <c>-bin</c>.</exception>
    public Metadata Add(string key, byte[] value)
    {
        key = NormalizeKey(key);
        if (!IsBinaryKey(key))
        {
            throw new ArgumentException($"Metadata key '{key}' carries a binary value and so must end in '{BinarySuffix}'.", nameof(key));
        }

        ArgumentNullException.ThrowIfNull(value);
        _entries.Add(new Entry(key, null, value));
        return this;
    }

    /// <summary>Adds a copy of <paramref name="entry"/>, text or binary.</summary>
    public Metadata Add(Entry entry) =>
        entry.IsBinary ? Add(entry.Key, entry.ValueBytes) : Add(entry.Key, entry.Value);

    /// <summary>The first entry with <paramref name="key"/>, or null.</summary>
    public Entry? Get(string key)
    {
        foreach (var entry in _entries)
        {
            if (string.Equals(entry.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>The text value of the first entry with <paramref name="key"/>, or null.</summary>
    public string? GetValue(string key) => Get(key)?.Value;

    /// <summary>The binary value of the first entry with <paramref name="key"/>, or null.</summary>
    public byte[]? GetBytes(string key) => Get(key)?.ValueBytes;

    /// <inheritdoc />
    public IEnumerator<Entry> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal static bool IsBinaryKey(string key) => key.EndsWith(BinarySuffix, StringComparison.Ordinal);

    private static string NormalizeKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        key = key.ToLowerInvariant();
        foreach (var c in key)
        {
            // The gRPC spec allows 0-9 a-z _ - . in header names.
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-' or '.'))
            {
                throw new ArgumentException($"Metadata key '{key}' has the character '{c}'; only 0-9, a-z, '_', '-' and '.' are allowed.", nameof(key));
            }
        }

        if (key.StartsWith("grpc-", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Metadata key '{key}' is reserved: keys starting with 'grpc-' belong to the protocol.", nameof(key));
        }

        return key;
    }

    /// <summary>One metadata entry: a key with a text or a binary value.</summary>
    public sealed class Entry
    {
        internal Entry(string key, string? value, byte[]? valueBytes)
        {
            Key = key;
            _value = value;
            _valueBytes = valueBytes;
        }

        private readonly string? _value;
        private readonly byte[]? _valueBytes;

        /// <summary>The lower-case key.</summary>
        public string Key { get; }

        /// <summary>True when the key ends in <c>-bin</c>.</summary>
        public bool IsBinary => _valueBytes is not null;

        /// <summary>The text value.</summary>
        /// <exception cref="InvalidOperationException">The entry is binary.</exception>
        public string Value => _value ?? throw new InvalidOperationException($"Metadata entry '{Key}' is binary: read ValueBytes.");

        /// <summary>The binary value (for a text entry, its UTF-8 bytes).</summary>
        public byte[] ValueBytes => _valueBytes ?? Encoding.UTF8.GetBytes(_value!);

        /// <inheritdoc />
        public override string ToString() => IsBinary ? $"{Key}: <{_valueBytes!.Length} bytes>" : $"{Key}: {_value}";
    }
}
