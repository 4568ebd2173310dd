namespace RemoteModel.EndToEnd.Tests;

/// <summary>
/// A user's data, configuration and state directories of their own for one test, so the
/// executables' files (logs, the embedded registry, keyrings, history) never touch the real ones.
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
    };

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
