using RemoteModel.Security;
using RemoteModel.Security.Keys;

namespace RemoteModel.Testing;

/// <summary>
/// A user's data, configuration and state directories of their own for one test, so the
/// executables' files (logs, the embedded registry, keyrings, history) never touch the real ones.
/// Like a user on a fresh machine, it has no keyring until the first server makes one there: the
/// test process's own keyring (<see cref="TestKeyring"/>) is not handed down.
/// </summary>
public sealed class UserDirectories : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rm-user-").FullName;

    /// <summary>A directory of the test's own beside the user's (certificates, data directories named on command lines).</summary>
    public string Scratch => Directory.CreateDirectory(Path.Combine(_root, "scratch")).FullName;

    public string Data => Path.Combine(_root, "data");

    public string Config => Path.Combine(_root, "config");

    public string State => Path.Combine(_root, "state");

    public IDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["XDG_DATA_HOME"] = Data,
        ["XDG_CONFIG_HOME"] = Config,
        ["XDG_STATE_HOME"] = State,
        [KeyringFile.KeyringVariable] = string.Empty,
        [ClientCredentials.KeyVariable] = string.Empty,
    };

    /// <summary>Where the first server this user starts makes the keyring.</summary>
    public string KeyringPath => Path.Combine(Config, "remotemodel", "keyring.json");

    /// <summary>How the test process calls this user's servers: unsigned (it holds none of their keys), so for open reads only.</summary>
    public static RemoteModel.Grpc.Authentication.CallSigner? Outsider => null;

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
