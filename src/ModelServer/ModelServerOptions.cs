namespace RemoteModel.ModelServer;

/// <summary>The <c>ModelServer</c> configuration section.</summary>
public sealed class ModelServerOptions
{
    /// <summary>Where to listen. Default <c>http://127.0.0.1:0</c>: any free port on loopback, registered with the name server.</summary>
    public List<string> Listen { get; set; } = [];

    /// <summary>
    /// Where other hosts reach this server, registered with the name server instead of
    /// <see cref="Listen"/>: URLs (<c>http://lab-pc.example:9191</c>) or a host name alone
    /// (<c>lab-pc.example</c>, keeping each listen address's scheme and actual port). Default none:
    /// the listen addresses, with a wildcard (<c>0.0.0.0</c>, <c>[::]</c>) standing for each of the
    /// host's non-loopback interface addresses.
    /// </summary>
    public List<string> Advertise { get; set; } = [];

    /// <summary>The name server to register with; empty: <c>$REMOTEMODEL_NAMESERVER</c>, then <c>http://127.0.0.1:9090</c>.</summary>
    public string? NameServer { get; set; }

    /// <summary>Serve without registering anywhere (clients then need the direct address).</summary>
    public bool NoRegistration { get; set; }

    /// <summary>Assemblies (paths) whose model classes may be named in <see cref="Models"/>.</summary>
    public List<string> Assemblies { get; set; } = [];

    /// <summary>The models to host, each under its own name.</summary>
    public List<ModelOptions> Models { get; set; } = [];

    /// <summary>
    /// The models served elsewhere to relay, each under its own name (none by default): the server
    /// holds one subscription to each source and fans it out to its own viewers.
    /// </summary>
    public List<RelayOptions> Relays { get; set; } = [];
}

/// <summary>One relayed model: the name it is served under here and where its source is.</summary>
public sealed class RelayOptions
{
    /// <summary>The relay's own name, such as <c>ticker-east</c>: where it is registered and how calls name it. Empty: the source model's name with <c>-relay</c>.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The source: a model's name (<c>ticker</c>, <c>name:ticker@nshost:9090</c>) or <c>http(s)://host:port/MODEL</c>.</summary>
    public string Source { get; set; } = string.Empty;
}

/// <summary>One hosted model: a name and the class it is an instance of.</summary>
public sealed class ModelOptions
{
    /// <summary>The model's name, such as <c>stage/1</c>: where it is registered and how calls name it.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The model class's full name, such as <c>Lab.Stage</c>, optionally assembly-qualified.</summary>
    public string Type { get; set; } = string.Empty;
}
