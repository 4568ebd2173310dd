using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using RemoteModel.Grpc.Authentication;
using RemoteModel.Security;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;

namespace RemoteModel.Web.Security;

/// <summary>
/// Checks a key id and secret against the keyring (read afresh at each login, so a revoked key is
/// refused at once) and signs a logged-in user's calls with that key. The secret is compared in
/// constant time and never kept, logged or shown.
/// </summary>
internal sealed class KeyLogin(IOptions<AuthOptions> auth, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, CallSigner> _signers = new(StringComparer.Ordinal);

    /// <summary>The key, when <paramref name="secret"/> (base64, as in the keyring) is its secret and it is valid now; otherwise null.</summary>
    public AccessKey? Check(string keyId, string secret)
    {
        var path = KeyringFile.Locate(auth.Value.Keyring);
        if (!File.Exists(path) || KeyringFile.Read(path).Find(keyId.Trim()) is not { } key || key.InvalidityAt(time.GetUtcNow()) is not null)
        {
            return null;
        }

        var expected = System.Text.Encoding.ASCII.GetBytes(KeyringFile.EncodeSecret(key));
        var given = System.Text.Encoding.ASCII.GetBytes(secret.Trim());
        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return null;
        }

        _signers[key.Id] = new HmacCallSigner(key, time);
        return key;
    }

    /// <summary>The signer of a logged-in key; null when the keyring no longer has it.</summary>
    public CallSigner? SignerFor(string keyId)
    {
        if (_signers.TryGetValue(keyId, out var signer))
        {
            return signer;
        }

        var path = KeyringFile.Locate(auth.Value.Keyring);
        return File.Exists(path) && KeyringFile.Read(path).Find(keyId) is { } key
            ? _signers.GetOrAdd(keyId, _ => new HmacCallSigner(key, time))
            : null;
    }
}
