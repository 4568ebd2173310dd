using RemoteModel.Security;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using RemoteModel.Security.Verification;
using RemoteModel.Grpc.Client;

namespace RemoteModel.Testing;

/// <summary>
/// One keyring for a whole test process, made fresh in a temporary directory and named by
/// <c>$REMOTEMODEL_KEYRING</c>: the test process signs with it by itself, the servers it starts
/// as child processes inherit it, and in-process servers verify with it. A developer's own
/// keyring is never read or written by the tests.
/// </summary>
public static class TestKeyring
{
    private static readonly Lazy<string> KeyringPath = new(Create);

    /// <summary>The keyring file.</summary>
    public static string Path => KeyringPath.Value;

    /// <summary>The keyring as it is now.</summary>
    public static Keyring Current => KeyringFile.Read(Path);

    /// <summary>A verifier over the test keyring, for in-process servers.</summary>
    public static HmacCallVerifier Verifier(TimeProvider? timeProvider = null) =>
        new(KeyringSource.Fixed(Current), timeProvider: timeProvider);

    /// <summary>A channel to <paramref name="address"/> that signs with the test keyring's default key, as local tools do.</summary>
    public static SignedChannel Channel(string address) =>
        SignedChannel.ForAddress(address, Signer);

    /// <summary>A signer with the test keyring's default key, as local tools sign.</summary>
    public static HmacCallSigner Signer => new(Current.SigningKey()!);

    /// <summary>Sets the keyring up before any test runs; called by each test assembly's module initializer.</summary>
    public static void Initialize() => _ = KeyringPath.Value;

    private static string Create()
    {
        var directory = Directory.CreateTempSubdirectory("remotemodel-test-keyring-").FullName;
        var path = System.IO.Path.Combine(directory, "keyring.json");
        KeyringFile.CreateIfMissing(path);
        Environment.SetEnvironmentVariable(KeyringFile.KeyringVariable, path);
        Environment.SetEnvironmentVariable(ClientCredentials.KeyVariable, null);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(directory, recursive: true);
        return path;
    }
}
