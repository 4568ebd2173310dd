namespace RemoteModel.Security.Keys;

/// <summary>The keys a server trusts and a client signs with, and which one a client uses unless told.</summary>
public sealed class Keyring
{
    private readonly Dictionary<string, AccessKey> _byId;

    /// <summary>A keyring of <paramref name="keys"/>.</summary>
    /// <exception cref="ArgumentException">Two keys share an id, or the default key is not among them.</exception>
    public Keyring(IEnumerable<AccessKey> keys, string? defaultKeyId = null)
    {
        Keys = [.. keys];
        _byId = new Dictionary<string, AccessKey>(StringComparer.Ordinal);
        foreach (var key in Keys)
        {
            if (!_byId.TryAdd(key.Id, key))
            {
                throw new ArgumentException($"The keyring has two keys with the id '{key.Id}'.");
            }
        }

        if (defaultKeyId is not null && !_byId.ContainsKey(defaultKeyId))
        {
            throw new ArgumentException($"The keyring's default key '{defaultKeyId}' is not one of its keys.");
        }

        DefaultKeyId = defaultKeyId;
    }

    /// <summary>An empty keyring.</summary>
    public static Keyring Empty { get; } = new([]);

    /// <summary>The keys, in file order.</summary>
    public IReadOnlyList<AccessKey> Keys { get; }

    /// <summary>The key a client signs with when not told which; null: none named.</summary>
    public string? DefaultKeyId { get; }

    /// <summary>The key with <paramref name="id"/>, or null.</summary>
    public AccessKey? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>
    /// The key a client signs with: <paramref name="keyId"/> when given, else the default key, else
    /// the only key; null when that does not name one.
    /// </summary>
    public AccessKey? SigningKey(string? keyId = null) =>
        keyId is not null ? Find(keyId)
        : DefaultKeyId is not null ? Find(DefaultKeyId)
        : Keys.Count == 1 ? Keys[0]
        : null;

    /// <summary>This keyring with <paramref name="key"/> added, or put in place of the key with its id.</summary>
    public Keyring With(AccessKey key) =>
        new(Find(key.Id) is null ? [.. Keys, key] : Keys.Select(k => k.Id == key.Id ? key : k), DefaultKeyId);
}
