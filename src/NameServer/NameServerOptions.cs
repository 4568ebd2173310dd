namespace RemoteModel.NameServer;

/// <summary>The <c>NameServer</c> configuration section.</summary>
public sealed class NameServerOptions
{
    /// <summary>Where to listen. Default <c>http://127.0.0.1:9090</c>, Pyro's habit.</summary>
    public List<string> Listen { get; set; } = [];

    /// <summary>
    /// Where other hosts reach this name server, printed at start (for other hosts' <c>REMOTEMODEL_NAMESERVER</c>) instead of
    /// <see cref="Listen"/>: URLs or a host name alone (keeping each listen address's scheme and
    /// port). Default none: the listen addresses, with a wildcard standing for each of the host's
    /// non-loopback interface addresses.
    /// </summary>
    public List<string> Advertise { get; set; } = [];

    /// <summary>Where the registry lives: <c>embedded</c> (default), <c>etcd</c> or <c>consul</c>.</summary>
    public string Store { get; set; } = "embedded";

    /// <summary>Where the embedded store keeps static registrations. Default the user's data directory.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The data directory to use: the configured one, or <c>~/.local/share/remotemodel</c>.</summary>
    public string ResolveDataDirectory() =>
        DataDirectory ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "remotemodel");
}
