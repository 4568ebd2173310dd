using Microsoft.Extensions.Logging;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using RemoteModel.Security.Verification;
using RemoteModel.Grpc.Authentication;

namespace RemoteModel.Security;

/// <summary>
/// A server's authentication, made once at start from <see cref="AuthOptions"/>: the keyring it
/// trusts (created on first start when there is none, so one machine is secure by default), the
/// verifier for its gRPC server, the scope checks for its services, and the signer for the calls
/// the server itself makes (a model server registering with the name server).
/// </summary>
public sealed partial class ServerAuthentication
{
    private ServerAuthentication(CallVerifier? verifier, KeyPermissions? permissions, CallSigner? signer)
    {
        Verifier = verifier;
        Permissions = permissions;
        Signer = signer;
    }

    /// <summary>The verifier for the gRPC server; null when authentication is off.</summary>
    public CallVerifier? Verifier { get; }

    /// <summary>The scope checks for the services; null when authentication is off (everything is allowed).</summary>
    public KeyPermissions? Permissions { get; }

    /// <summary>
    /// Signs the server's own calls (a model server's registrations): with <c>$REMOTEMODEL_KEY</c>
    /// when set (a key the name server's keyring holds), else its keyring's default key (or
    /// <c>Auth:KeyId</c>); null when authentication is off or there is no such key.
    /// </summary>
    public CallSigner? Signer { get; }

    /// <summary>Sets up authentication as <paramref name="options"/> say, logging what it did.</summary>
    /// <exception cref="KeyringException">The keyring is not private or not a keyring.</exception>
    public static ServerAuthentication Create(AuthOptions options, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger<ServerAuthentication>();
        if (!options.Enabled)
        {
            LogDisabled(logger);
            return new ServerAuthentication(null, null, null);
        }

        var path = KeyringFile.Locate(options.Keyring);
        if (KeyringFile.CreateIfMissing(path))
        {
            LogCreated(logger, path, KeyringFile.LocalKeyId);
        }

        var source = new KeyringSource(path, options.KeyringCheckInterval, timeProvider, loggerFactory.CreateLogger<KeyringSource>());
        var keyring = source.Current;
        var signingKey = ClientCredentials.KeyFromEnvironment() ?? keyring.SigningKey(options.KeyId);
        LogEnabled(logger, path, keyring.Keys.Count, options.ProtectReads);
        return new ServerAuthentication(
            new HmacCallVerifier(source, options, timeProvider, loggerFactory.CreateLogger<HmacCallVerifier>()),
            new KeyPermissions(options, loggerFactory.CreateLogger<KeyPermissions>()),
            signingKey is null ? null : new HmacCallSigner(signingKey, timeProvider));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "AUTHENTICATION IS OFF (Auth:Enabled=false): anyone who can reach this server may change models and registrations. Remove the setting to require keys.")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created keyring {Path} (owner-only) with key {KeyId}, scope admin; local tools use it by themselves")]
    private static partial void LogCreated(ILogger logger, string path, string keyId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Authentication on: keyring {Path} with {KeyCount} keys, reads protected: {ProtectReads}")]
    private static partial void LogEnabled(ILogger logger, string path, int keyCount, bool protectReads);
}
