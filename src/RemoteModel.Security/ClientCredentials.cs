using Microsoft.Extensions.Configuration;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using RemoteModel.Grpc.Authentication;

namespace RemoteModel.Security;

/// <summary>
/// The key a client signs with, found the way every RemoteModel tool finds it: <c>$REMOTEMODEL_KEY</c>
/// (<c>id:base64secret</c>), else the keyring (<see cref="KeyringFile.Locate"/>) and its default
/// key or <c>Auth:KeyId</c>. Never from a command-line argument.
/// </summary>
public static class ClientCredentials
{
    /// <summary>The environment variable holding one key, <c>id:base64secret</c>.</summary>
    public const string KeyVariable = "REMOTEMODEL_KEY";

    private static readonly Lazy<CallSigner?> FromEnvironment = new(() => Resolve());

    /// <summary>
    /// The signer this process uses unless told otherwise, resolved from the environment once;
    /// null when there is no key.
    /// </summary>
    /// <exception cref="KeyringException">A key or keyring was found but cannot be used.</exception>
    public static CallSigner? Default => FromEnvironment.Value;

    /// <summary>
    /// Loads <see cref="Default"/> now, so a tool can say in one line, before it does anything,
    /// why the key it found cannot be used.
    /// </summary>
    /// <param name="problem">What is wrong, when it returns false.</param>
    public static bool TryLoadDefault(out string? problem)
    {
        try
        {
            _ = Default;
            problem = null;
            return true;
        }
        catch (KeyringException ex)
        {
            problem = ex.Message;
            return false;
        }
    }

    /// <summary>The key in <c>$REMOTEMODEL_KEY</c>, or null when it is not set.</summary>
    /// <exception cref="KeyringException">It is set but not <c>id:base64secret</c>.</exception>
    internal static AccessKey? KeyFromEnvironment() =>
        Environment.GetEnvironmentVariable(KeyVariable) is { Length: > 0 } text ? KeyringFile.ParseKey(text) : null;

    /// <summary>The <c>Auth</c> settings from the environment (<c>REMOTEMODEL_Auth__KeyId</c>, ...), for programs without a configuration of their own.</summary>
    public static AuthOptions OptionsFromEnvironment() =>
        new ConfigurationBuilder().AddEnvironmentVariables("REMOTEMODEL_").Build().GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();

    /// <summary>The signer of this process's calls, as <paramref name="options"/> (default: the environment's) say; null when there is no key to sign with.</summary>
    /// <exception cref="KeyringException">A key or keyring was found but cannot be used (not private, malformed, no such key).</exception>
    public static CallSigner? Resolve(AuthOptions? options = null, TimeProvider? timeProvider = null)
    {
        options ??= OptionsFromEnvironment();
        if (!options.Enabled)
        {
            return null;
        }

        if (KeyFromEnvironment() is { } single)
        {
            return new HmacCallSigner(single, timeProvider);
        }

        var path = KeyringFile.Locate(options.Keyring);
        if (!File.Exists(path))
        {
            return null;
        }

        var keyring = KeyringFile.Read(path);
        var key = keyring.SigningKey(options.KeyId) ?? throw new KeyringException(options.KeyId is null
            ? $"The keyring {path} has several keys and no default key: name one with Auth:KeyId (REMOTEMODEL_Auth__KeyId)."
            : $"The keyring {path} has no key '{options.KeyId}'.");
        return new HmacCallSigner(key, timeProvider);
    }
}
