using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RemoteModel.Security.Keys;

/// <summary>
/// The keyring file (format in docs/security.md): where it is, reading it (only when it is
/// private to its owner), and writing it (<c>0600</c> in a <c>0700</c> directory, replaced whole).
/// </summary>
public static class KeyringFile
{
    /// <summary>The environment variable naming the keyring file.</summary>
    public const string KeyringVariable = "REMOTEMODEL_KEYRING";

    /// <summary>The id of the key a first server start creates.</summary>
    public const string LocalKeyId = "local";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>
    /// Where the keyring is: <paramref name="configured"/> (the <c>Auth:Keyring</c> setting), else
    /// <c>$REMOTEMODEL_KEYRING</c>, else <c>$XDG_CONFIG_HOME/remotemodel/keyring.json</c>
    /// (default <c>~/.config/remotemodel/keyring.json</c>).
    /// </summary>
    public static string Locate(string? configured = null)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        if (Environment.GetEnvironmentVariable(KeyringVariable) is { Length: > 0 } fromEnvironment)
        {
            return Path.GetFullPath(fromEnvironment);
        }

        var configHome = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(configHome, "remotemodel", "keyring.json");
    }

    /// <summary>Reads the keyring at <paramref name="path"/>.</summary>
    /// <exception cref="KeyringException">It is readable or writable by others, or not a keyring.</exception>
    /// <exception cref="FileNotFoundException">There is no file.</exception>
    public static Keyring Read(string path)
    {
        CheckPrivate(path);
        try
        {
            var document = JsonSerializer.Deserialize<KeyringDocument>(File.ReadAllText(path), Json)
                ?? throw new KeyringException($"The keyring {path} is empty.");
            return document.ToKeyring();
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException)
        {
            // The message says where, never what: a parse error could quote a secret.
            throw new KeyringException($"The keyring {path} is not a valid keyring: {Describe(ex)}");
        }
    }

    /// <summary>Writes <paramref name="keyring"/> to <paramref name="path"/>, owner-only, replacing the file whole.</summary>
    public static void Write(string path, Keyring keyring) => Write(path, keyring, overwrite: true);

    /// <summary>
    /// The keyring at <paramref name="path"/>; when there is none, creates it with one new key
    /// <c>local</c> (scope admin), the default key. Returns whether it was created.
    /// </summary>
    public static (Keyring Keyring, bool Created) ReadOrCreate(string path)
    {
        var created = CreateIfMissing(path);
        return (Read(path), created);
    }

    /// <summary>
    /// Creates the keyring at <paramref name="path"/> with one new key <c>local</c> (scope admin),
    /// the default key, unless there is one; returns whether it did.
    /// </summary>
    public static bool CreateIfMissing(string path)
    {
        if (File.Exists(path))
        {
            return false;
        }

        try
        {
            // Never replaces: of two servers starting at once, one writes and both use its key.
            Write(path, new Keyring([NewKey(LocalKeyId, KeyScopes.Admin)], LocalKeyId), overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }

    /// <summary>A new key with a fresh 256-bit secret.</summary>
    public static AccessKey NewKey(
        string id, KeyScopes scopes, IReadOnlyList<NamePattern>? names = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null) =>
        new(id, RandomNumberGenerator.GetBytes(AccessKey.MinSecretLength), scopes, names, notBefore, notAfter);

    /// <summary>The secret of <paramref name="key"/> as the keyring file and <c>$REMOTEMODEL_KEY</c> write it, for showing once.</summary>
    public static string EncodeSecret(AccessKey key) => Convert.ToBase64String(key.Secret);

    /// <summary>Reads <c>$REMOTEMODEL_KEY</c>'s form, <c>id:base64secret</c>, as a key with every scope (a client's key; the server decides what it may do).</summary>
    /// <exception cref="KeyringException">It is not of that form.</exception>
    public static AccessKey ParseKey(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        try
        {
            if (colon <= 0)
            {
                throw new FormatException("expected id:base64secret");
            }

            return new AccessKey(text[..colon], Convert.FromBase64String(text[(colon + 1)..].Trim()), KeyScopes.Admin);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new KeyringException($"$REMOTEMODEL_KEY is not a key: {Describe(ex)} (write it id:base64secret).");
        }
    }

    private static void Write(string path, Keyring keyring, bool overwrite)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // Written beside it and moved into place, so a reader never sees half a keyring.
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                JsonSerializer.Serialize(stream, KeyringDocument.From(keyring), Json);
            }

            File.Move(temporary, path, overwrite);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static void CheckPrivate(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"There is no keyring at {path}.", path);
        }

        PrivateFile.Check(path, "keyring");
    }

    // Exception texts of the parsers, without any quoted input.
    private static string Describe(Exception exception) => exception switch
    {
        JsonException json => $"JSON error at line {json.LineNumber + 1}",
        _ => exception.Message,
    };

    private sealed class KeyringDocument
    {
        public string? DefaultKey { get; set; }

        public List<KeyDocument> Keys { get; set; } = [];

        public static KeyringDocument From(Keyring keyring) => new()
        {
            DefaultKey = keyring.DefaultKeyId,
            Keys = [.. keyring.Keys.Select(KeyDocument.From)],
        };

        public Keyring ToKeyring() => new(Keys.Select(k => k.ToKey()), DefaultKey);
    }

    private sealed class KeyDocument
    {
        public string Id { get; set; } = string.Empty;

        public string Secret { get; set; } = string.Empty;

        public List<string> Scopes { get; set; } = [];

        public List<string> Names { get; set; } = [];

        public DateTimeOffset? NotBefore { get; set; }

        public DateTimeOffset? NotAfter { get; set; }

        public DateTimeOffset? Revoked { get; set; }

        public static KeyDocument From(AccessKey key) => new()
        {
            Id = key.Id,
            Secret = EncodeSecret(key),
            Scopes = [.. KeyScopeNames.Format(key.Scopes)],
            Names = [.. key.Names.Select(n => n.Text)],
            NotBefore = key.NotBefore?.ToUniversalTime(),
            NotAfter = key.NotAfter?.ToUniversalTime(),
            Revoked = key.Revoked?.ToUniversalTime(),
        };

        public AccessKey ToKey()
        {
            byte[] secret;
            try
            {
                secret = Convert.FromBase64String(Secret);
            }
            catch (FormatException)
            {
                throw new FormatException($"the secret of key '{Id}' is not base64");
            }

            return new AccessKey(
                Id,
                secret,
                KeyScopeNames.Parse(Scopes),
                [.. Names.Select(NamePattern.Parse)],
                NotBefore,
                NotAfter,
                Revoked);
        }
    }
}

/// <summary>A keyring that cannot be used: not private, not readable, or not a keyring. Its message never holds a secret.</summary>
public sealed class KeyringException(string message) : Exception(message);
