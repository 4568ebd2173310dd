namespace RemoteModel.Naming.Etcd;

/// <summary>Where the etcd-backed registry lives and how long it waits for etcd; bound from configuration.</summary>
public sealed class EtcdRegistryOptions
{
    /// <summary>etcd's own default client URL, used when <see cref="Endpoints"/> is empty.</summary>
    public static readonly Uri DefaultEndpoint = new("http://127.0.0.1:2379");

    /// <summary>
    /// The client URLs of the etcd members (<c>http://host:port</c>), several for a cluster. The
    /// store talks to one at a time and moves on to the next when it cannot be reached or answers
    /// that it is unavailable (no leader, leader changed). Empty (the default) means
    /// <see cref="DefaultEndpoint"/>.
    /// </summary>
    public IList<Uri> Endpoints { get; set; } = [];

    /// <summary>
    /// The etcd key every registration name is appended to, so the registry shares a cluster with
    /// other data. Names under one prefix form one registry: name servers that share it serve the
    /// same registrations. Default <c>/remotemodel/registry/</c>.
    /// </summary>
    public string KeyPrefix { get; set; } = "/remotemodel/registry/";

    /// <summary>
    /// How long one request to one member may take (connecting included) before that member is
    /// given up for the next. A watch is bound by it only until etcd confirms it. Default 5 s.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long one operation keeps trying the members in turn, when they cannot be reached or are
    /// unavailable, before it fails with
    /// <see cref="Registry.RegistryUnavailableException"/>. Every member is tried at least once,
    /// whatever this is. Default 10 s: longer than an etcd election with default settings, so the
    /// loss of a cluster's leader is ridden out.
    /// </summary>
    public TimeSpan FailoverTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The endpoints to use: <see cref="Endpoints"/>, or the default when there are none.</summary>
    internal IReadOnlyList<Uri> EffectiveEndpoints => Endpoints.Count == 0 ? [DefaultEndpoint] : [.. Endpoints];

    /// <summary>Throws when a setting cannot work, naming it.</summary>
    internal void Validate()
    {
        foreach (var endpoint in Endpoints)
        {
            if (endpoint is null || !endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)
                || !string.IsNullOrEmpty(endpoint.Query) || !string.IsNullOrEmpty(endpoint.Fragment))
            {
                throw new ArgumentException(
                    $"etcd endpoint '{endpoint}' is not a client URL such as http://127.0.0.1:2379.", nameof(Endpoints));
            }
        }

        ArgumentNullException.ThrowIfNull(KeyPrefix, nameof(KeyPrefix));
        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "The request timeout must be positive.");
        }

        if (FailoverTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(FailoverTimeout), FailoverTimeout, "The failover timeout cannot be negative.");
        }
    }
}
