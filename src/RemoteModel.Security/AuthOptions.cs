namespace RemoteModel.Security;

/// <summary>
/// Authentication settings, the <c>Auth</c> configuration section (<c>REMOTEMODEL_Auth__*</c>,
/// <c>--Auth:*</c>); every limit named and defaulted. No secret is ever one of them.
/// </summary>
public sealed class AuthOptions
{
    /// <summary>Whether servers check keys and clients sign. Default true; a server started with false warns at start.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The keyring file; null: <c>$REMOTEMODEL_KEYRING</c>, then <c>$XDG_CONFIG_HOME/remotemodel/keyring.json</c>.</summary>
    public string? Keyring { get; set; }

    /// <summary>The key a client signs with; null: the keyring's default key.</summary>
    public string? KeyId { get; set; }

    /// <summary>How far a call's timestamp may be from the server's clock, either way. Default 30 s; nonces are remembered this long.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether reads (lookups, lists, watches; describe, query, subscribe) need a key with scope read. Default false.</summary>
    public bool ProtectReads { get; set; }

    /// <summary>How often a server looks whether its keyring file changed. Default 1 s.</summary>
    public TimeSpan KeyringCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many nonces a server remembers at once. Default 1,000,000 (about 145 MiB when full, measured);
    /// past that, signed calls are refused until older nonces leave the skew window.
    /// </summary>
    public int MaxRememberedNonces { get; set; } = 1_000_000;
}
