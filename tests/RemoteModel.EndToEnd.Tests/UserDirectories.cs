namespace RemoteModel.EndToEnd.Tests;

/// <summary>
/// A user's data, configuration and state directories of their own for one test, so the
/// executables' files (logs, the embedded registry, keyrings, history) never touch the real ones.
/// Like a user on a fresh machine, it has no keyring until the first server makes one there: the
/// test process's own keyring (<see cref="Testing.TestKeyring"/>) is not handed down.
/// </summary>
internal sealed class UserDirectories : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rm-e2e-").FullName;

    public string Data => Path.Combine(_root, "data");

    public string Config => Path.Combine(_root, "config");

    public string State => Path.Combine(_root, "state");

    public IDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["XDG_DATA_HOME"] = Data,
        ["XDG_CONFIG_HOME"] = Config,
        ["XDG_STATE_HOME"] = State,
        ["REMOTEMODEL_KEYRING"] = string.Empty,
        ["REMOTEMODEL_KEY"] = string.Empty,
    };

    /// <summary>How the test process calls this user's servers: unsigned (it holds none of their keys), so for open reads only.</summary>
    public static Transport.Client.GrpcChannelOptions Outsider => new();

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
