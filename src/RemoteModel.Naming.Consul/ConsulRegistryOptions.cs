namespace RemoteModel.Naming.Consul;

/// <summary>
/// Which Consul agent the registry talks to, under which Consul service it keeps its registrations,
/// and how long it waits; bound from configuration. Every limit is named here with its default.
/// </summary>
/// <remarks>
/// <see cref="ToString"/> leaves out <see cref="Token"/>, so the options can be logged.
/// </remarks>
public sealed class ConsulRegistryOptions
{
    /// <summary>Consul's own default HTTP address of an agent.</summary>
    public static readonly Uri DefaultAddress = new("http://127.0.0.1:8500");

    /// <summary>The shortest <see cref="DeregisterCriticalServiceAfter"/> Consul honours: 1 minute.</summary>
    public static readonly TimeSpan MinimumDeregisterCriticalServiceAfter = TimeSpan.FromMinutes(1);

    /// <summary>The longest wait Consul allows a blocking query: 10 minutes.</summary>
    public static readonly TimeSpan MaximumWatchWait = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The HTTP API of the Consul agent the store registers through (<c>http://host:port</c> or
    /// https). Registrations belong to that agent: Consul's agent API can renew, deregister and
    /// replace only services registered through the same agent, so every name server that shares
    /// a registry should use the same agent. Default <c>http://127.0.0.1:8500</c>.
    /// </summary>
    public Uri Address { get; set; } = DefaultAddress;

    /// <summary>
    /// The ACL token sent as the <c>X-Consul-Token</c> header, or null when the agent has no ACLs.
    /// It needs <c>service:write</c> on <see cref="ServiceName"/> and <c>node:read</c>. It is never
    /// logged and never put in an exception message. Default null.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>
    /// The Consul service under which every RemoteModel registration is one instance (the
    /// registration name is the instance ID). Name servers that share this name on one agent serve
    /// one registry. Keep it a DNS label (letters, digits, '-'). Default <c>remotemodel</c>.
    /// </summary>
    public string ServiceName { get; set; } = "remotemodel";

    /// <summary>
    /// How long Consul keeps a leased registration whose TTL check has gone critical (its lease
    /// expired) before it deregisters it by itself. The registration is gone for the registry as
    /// soon as the check is critical; this only bounds the clutter. Consul's minimum, 1 minute, is
    /// the default and the least allowed.
    /// </summary>
    public TimeSpan DeregisterCriticalServiceAfter { get; set; } = MinimumDeregisterCriticalServiceAfter;

    /// <summary>
    /// The longest a watch's blocking query waits for a change (<c>?wait=</c>) before it asks
    /// again. Consul adds up to a sixteenth of it at random. At most 10 minutes. Default 30 s.
    /// </summary>
    public TimeSpan WatchWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one request may take, connecting included; a blocking query may take
    /// <see cref="WatchWait"/> (and Consul's sixteenth) more. Default 10 s.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many changes the store remembers, as it has seen them, so a watch can start from a
    /// revision in that history and a slow watch can catch up. A watch that falls further behind
    /// ends with <see cref="Registry.RegistryHistoryLostException"/>. Default 10 000.
    /// </summary>
    public int HistoryCapacity { get; set; } = 10_000;

    /// <summary>
    /// The least time between two blocking queries of one watch once two have come back in quick
    /// succession (a token bucket with a burst of 2): when registrations churn, a watch polls at
    /// this rate instead of looping. Changes made through this store are told at once regardless.
    /// Default 500 ms.
    /// </summary>
    public TimeSpan WatchMinPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The address without user information, as it appears in messages.</summary>
    internal string DisplayAddress => $"{Address.Scheme}://{Address.Authority}";

    /// <summary>The options without the token.</summary>
    public override string ToString() =>
        $"Consul {DisplayAddress}, service '{ServiceName}', ACL token {(string.IsNullOrEmpty(Token) ? "none" : "set")}";

    /// <summary>A copy, so later changes to these options do not reach a running store.</summary>
    internal ConsulRegistryOptions Clone() => (ConsulRegistryOptions)MemberwiseClone();

    /// <summary>Throws when a setting cannot work, naming it.</summary>
    internal void Validate()
    {
        if (Address is null || !Address.IsAbsoluteUri || (Address.Scheme != Uri.UriSchemeHttp && Address.Scheme != Uri.UriSchemeHttps)
            || Address.AbsolutePath != "/" || !string.IsNullOrEmpty(Address.Query) || !string.IsNullOrEmpty(Address.Fragment))
        {
            throw new ArgumentException(
                $"The Consul address '{Address?.GetLeftPart(UriPartial.Authority)}' is not an agent's HTTP address such as http://127.0.0.1:8500.",
                nameof(Address));
        }

        if (string.IsNullOrWhiteSpace(ServiceName) || ServiceName.Any(c => c is '/' or '?' or '#' || char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            throw new ArgumentException($"The Consul service name '{ServiceName}' must be a non-empty DNS label.", nameof(ServiceName));
        }

        if (Token is { } token && token.Any(c => char.IsControl(c)))
        {
            // The token itself stays out of the message.
            throw new ArgumentException("The Consul ACL token contains control characters.", nameof(Token));
        }

        if (DeregisterCriticalServiceAfter < MinimumDeregisterCriticalServiceAfter)
        {
            throw new ArgumentOutOfRangeException(nameof(DeregisterCriticalServiceAfter), DeregisterCriticalServiceAfter,
                $"Consul deregisters critical services no sooner than {MinimumDeregisterCriticalServiceAfter}.");
        }

        if (WatchWait <= TimeSpan.Zero || WatchWait > MaximumWatchWait)
        {
            throw new ArgumentOutOfRangeException(nameof(WatchWait), WatchWait,
                $"A blocking query waits more than nothing and at most {MaximumWatchWait}.");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "The request timeout must be positive.");
        }

        if (HistoryCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(HistoryCapacity), HistoryCapacity, "The history holds at least one change.");
        }

        if (WatchMinPollInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(WatchMinPollInterval), WatchMinPollInterval, "The poll interval cannot be negative.");
        }
    }
}
