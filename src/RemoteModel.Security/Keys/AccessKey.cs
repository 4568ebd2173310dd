using System.Globalization;
using System.Text.RegularExpressions;

namespace RemoteModel.Security.Keys;

/// <summary>
/// One HMAC key of a keyring: its id (sent with every call), its secret (never sent, never
/// logged), what it may do, on which names, and when it is valid.
/// </summary>
public sealed partial class AccessKey
{
    /// <summary>The fewest secret bytes a key may have: 256 bits.</summary>
    public const int MinSecretLength = 32;

    private readonly byte[] _secret;

    /// <summary>Makes a key; <paramref name="secret"/> is copied.</summary>
    /// <exception cref="ArgumentException">The id is not a key id, or the secret is shorter than <see cref="MinSecretLength"/>.</exception>
    public AccessKey(
        string id,
        ReadOnlySpan<byte> secret,
        KeyScopes scopes,
        IReadOnlyList<NamePattern>? names = null,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null,
        DateTimeOffset? revoked = null)
    {
        if (!IsValidId(id))
        {
            throw new ArgumentException(
                $"'{id}' is not a key id: 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit.");
        }

        if (secret.Length < MinSecretLength)
        {
            throw new ArgumentException(
                $"The secret of key '{id}' has {secret.Length} bytes; a key needs at least {MinSecretLength} (256 bits).");
        }

        Id = id;
        _secret = secret.ToArray();
        Scopes = scopes;
        Names = names ?? [];
        NotBefore = notBefore;
        NotAfter = notAfter;
        Revoked = revoked;
    }

    /// <summary>The key's name, sent with every call.</summary>
    public string Id { get; }

    /// <summary>What it may do.</summary>
    public KeyScopes Scopes { get; }

    /// <summary>The names it is limited to; empty: every name.</summary>
    public IReadOnlyList<NamePattern> Names { get; }

    /// <summary>When it starts being valid; null: always was.</summary>
    public DateTimeOffset? NotBefore { get; }

    /// <summary>When it stops being valid; null: never.</summary>
    public DateTimeOffset? NotAfter { get; }

    /// <summary>When it was revoked; null: it was not.</summary>
    public DateTimeOffset? Revoked { get; }

    internal ReadOnlySpan<byte> Secret => _secret;

    /// <summary>Whether <paramref name="id"/> is a well-formed key id.</summary>
    public static bool IsValidId(string id) => id is { Length: > 0 and <= 64 } && IdPattern().IsMatch(id);

    /// <summary>Whether the key may act with <paramref name="scope"/>.</summary>
    public bool Has(KeyScopes scope) => Scopes.HasFlag(KeyScopes.Admin) || Scopes.HasFlag(scope);

    /// <summary>Whether the key's name patterns cover <paramref name="name"/>; every key covers the empty name (the whole registry).</summary>
    public bool Covers(string name) => Names.Count == 0 || name.Length == 0 || Names.Any(p => p.Matches(name));

    /// <summary>Why the key cannot be used at <paramref name="now"/>, or null when it can.</summary>
    public string? InvalidityAt(DateTimeOffset now) =>
        Revoked is { } revoked ? $"was revoked at {FormatTime(revoked)}"
        : NotBefore is { } notBefore && now < notBefore ? $"is not valid before {FormatTime(notBefore)}"
        : NotAfter is { } notAfter && now >= notAfter ? $"expired at {FormatTime(notAfter)}"
        : null;

    /// <summary>A copy of this key marked revoked at <paramref name="when"/>.</summary>
    public AccessKey RevokedAt(DateTimeOffset when) => new(Id, _secret, Scopes, Names, NotBefore, NotAfter, when);

    /// <summary>The key's state at <paramref name="now"/>: valid, revoked, not yet valid, expired.</summary>
    public string StateAt(DateTimeOffset now) =>
        Revoked is not null ? "revoked"
        : NotBefore is { } notBefore && now < notBefore ? "not yet valid"
        : NotAfter is { } notAfter && now >= notAfter ? "expired"
        : "valid";

    /// <summary>The id, scopes and names; never the secret.</summary>
    public override string ToString() =>
        $"{Id} [{string.Join(", ", KeyScopeNames.Format(Scopes))}]{(Names.Count > 0 ? " on " + string.Join(", ", Names) : string.Empty)}";

    /// <summary>A key's validity time as the keyring file and the <c>keys</c> command write it (UTC, to the second).</summary>
    public static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*$")]
    private static partial Regex IdPattern();
}
