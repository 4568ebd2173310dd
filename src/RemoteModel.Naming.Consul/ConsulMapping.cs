using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using RemoteModel.Naming.V1;

namespace RemoteModel.Naming.Consul;

/// <summary>One registration as Consul holds it, with the Raft indexes of its service entry.</summary>
/// <param name="Registration">The registration (never handed out without a clone).</param>
/// <param name="CreateIndex">The index that created the Consul service entry (0 when Consul did not say).</param>
/// <param name="ModifyIndex">The index that last changed it (0 when Consul did not say).</param>
/// <param name="Node">The Consul node (agent) it was registered through.</param>
internal sealed record ConsulInstance(Registration Registration, long CreateIndex, long ModifyIndex, string Node);

/// <summary>
/// How a <see cref="Registration"/> is one instance of the registry's Consul service, and back:
/// ID = the name; Tags = its tags and <c>kind:&lt;kind&gt;</c>; Address/Port = the first endpoint
/// when it has a host and port; Meta = its metadata and the reserved <c>rm-</c> keys (kind,
/// endpoints, lease, TTL, registration time). Consul's metadata limits are checked here, before
/// anything is sent.
/// </summary>
internal static class ConsulMapping
{
    /// <summary>The metadata keys the store keeps for itself begin with this; a registration's own may not.</summary>
    public const string ReservedPrefix = "rm-";

    /// <summary>Consul keeps metadata keys beginning with this for itself.</summary>
    public const string ConsulReservedPrefix = "consul-";

    public const string KindKey = "rm-kind";
    public const string LeaseKey = "rm-lease";
    public const string TtlKey = "rm-ttl-ms";
    public const string RegisteredAtKey = "rm-registered-at";
    public const string EndpointKeyPrefix = "rm-endpoint-";

    /// <summary>The tag that carries the kind, so Consul's own tag filters can select by kind.</summary>
    public const string KindTagPrefix = "kind:";

    /// <summary>Consul's limit on the metadata pairs of one service instance, reserved keys included.</summary>
    public const int MaxMetaPairs = 64;

    /// <summary>Consul's limit on the length of a metadata key.</summary>
    public const int MaxMetaKeyLength = 128;

    /// <summary>Consul's limit on the length of a metadata value, in UTF-8 bytes.</summary>
    public const int MaxMetaValueBytes = 512;

    public const string PassingStatus = "passing";
    public const string CriticalStatus = "critical";

    /// <summary>The ID of a registration's TTL check (Consul's own naming for a service's check).</summary>
    public static string CheckIdOf(string name) => "service:" + name;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless <paramref name="name"/> can be a Consul service
    /// ID that the agent's URL routing reaches: non-empty, no control characters, and no empty,
    /// "." or ".." segment between its '/' separators (Consul's HTTP router would clean those away).
    /// </summary>
    public static void ValidateName(string name, string parameter)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("A registration needs a name.", parameter);
        }

        if (name.Any(char.IsControl))
        {
            throw new ArgumentException($"The name '{name}' contains control characters.", parameter);
        }

        foreach (var segment in name.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
            {
                throw new ArgumentException(
                    $"The name '{name}' has an empty, '.' or '..' segment; a Consul service ID with one cannot be addressed in the agent's URLs.",
                    parameter);
            }
        }
    }

    /// <summary>The service registration body for <paramref name="registration"/>; throws <see cref="ArgumentException"/> when Consul would refuse it.</summary>
    public static ServiceRegistrationBody ToConsul(
        Registration registration, ConsulRegistryOptions options, TimeSpan? ttl, long leaseId, DateTimeOffset registeredAt)
    {
        ValidateName(registration.Name, nameof(registration));
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in registration.Metadata)
        {
            ValidateUserKey(key);
            ValidateValue($"metadata '{key}'", value);
            meta[key] = value;
        }

        ValidateValue("kind", registration.Kind);
        meta[KindKey] = registration.Kind;
        meta[RegisteredAtKey] = registeredAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        for (var i = 0; i < registration.Endpoints.Count; i++)
        {
            ValidateValue($"endpoint {i}", registration.Endpoints[i]);
            meta[EndpointKeyPrefix + i.ToString(CultureInfo.InvariantCulture)] = registration.Endpoints[i];
        }

        TtlCheckBody? check = null;
        if (ttl is { } leaseTtl)
        {
            meta[LeaseKey] = leaseId.ToString(CultureInfo.InvariantCulture);
            meta[TtlKey] = ((long)Math.Round(leaseTtl.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
            check = new TtlCheckBody
            {
                CheckId = CheckIdOf(registration.Name),
                Name = "RemoteModel lease",
                Ttl = GoDuration.Format(leaseTtl),
                Status = PassingStatus,
                DeregisterCriticalServiceAfter = GoDuration.Format(options.DeregisterCriticalServiceAfter),
            };
        }

        if (meta.Count > MaxMetaPairs)
        {
            var reserved = meta.Count - registration.Metadata.Count;
            throw new ArgumentException(
                $"The registration '{registration.Name}' needs {meta.Count} Consul metadata pairs ({registration.Metadata.Count} of its own, {reserved} for its kind, endpoints and lease); Consul allows {MaxMetaPairs}.",
                nameof(registration));
        }

        var tags = new List<string>(registration.Tags);
        if (registration.Kind.Length > 0)
        {
            tags.Add(KindTagPrefix + registration.Kind);
        }

        var (address, port) = AddressOf(registration);
        return new ServiceRegistrationBody
        {
            Id = registration.Name,
            Name = options.ServiceName,
            Tags = tags,
            Address = address,
            Port = port,
            Meta = meta,
            Check = check,
        };
    }

    /// <summary>What <see cref="ToConsul"/> stores, read back as Consul would show it (for when the read-back does not find it).</summary>
    public static Registration Expected(ServiceRegistrationBody body, long revision) =>
        FromService(body.Id, body.Tags, body.Meta, body.Address, body.Port ?? 0, revision);

    /// <summary>The registration a health entry holds, or null when it is not one (no ID).</summary>
    public static ConsulInstance? FromHealthEntry(HealthEntry entry, long responseIndex)
    {
        var service = entry.Service;
        if (service?.Id is not { Length: > 0 } id)
        {
            return null;
        }

        var revision = service.ModifyIndex > 0 ? service.ModifyIndex : responseIndex;
        var registration = FromService(id, service.Tags, service.Meta, service.Address, service.Port, revision);
        return new ConsulInstance(registration, service.CreateIndex, service.ModifyIndex, entry.Node?.Name ?? string.Empty);
    }

    /// <summary>
    /// The registration a Consul service instance holds. An instance not made by this store (no
    /// <c>rm-kind</c>) is read as well as it can be: its metadata and tags as they are, and
    /// <c>http://Address:Port</c> as its endpoint.
    /// </summary>
    public static Registration FromService(
        string id, IReadOnlyList<string>? tags, IReadOnlyDictionary<string, string>? meta, string? address, int port, long revision)
    {
        meta ??= new Dictionary<string, string>();
        var registration = new Registration { Name = id, Revision = revision };
        var ours = meta.TryGetValue(KindKey, out var kind);
        registration.Kind = kind ?? string.Empty;
        var endpoints = new SortedDictionary<int, string>();
        foreach (var (key, value) in meta)
        {
            if (!key.StartsWith(ReservedPrefix, StringComparison.Ordinal))
            {
                registration.Metadata[key] = value;
            }
            else if (key.StartsWith(EndpointKeyPrefix, StringComparison.Ordinal)
                && int.TryParse(key.AsSpan(EndpointKeyPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var position))
            {
                endpoints[position] = value;
            }
        }

        registration.Endpoints.Add(endpoints.Values);
        if (!ours && registration.Endpoints.Count == 0 && !string.IsNullOrEmpty(address) && port > 0)
        {
            registration.Endpoints.Add($"http://{(address.Contains(':') ? $"[{address}]" : address)}:{port}");
        }

        var ownTags = new List<string>(tags ?? []);
        if (registration.Kind.Length > 0)
        {
            var kindTag = ownTags.LastIndexOf(KindTagPrefix + registration.Kind);
            if (kindTag >= 0)
            {
                ownTags.RemoveAt(kindTag);
            }
        }

        registration.Tags.Add(ownTags);
        if (meta.TryGetValue(LeaseKey, out var lease) && long.TryParse(lease, NumberStyles.Integer, CultureInfo.InvariantCulture, out var leaseId))
        {
            registration.LeaseId = leaseId;
        }

        if (meta.TryGetValue(TtlKey, out var ttl) && long.TryParse(ttl, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ttlMs) && ttlMs > 0)
        {
            registration.Ttl = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(ttlMs));
        }

        if (meta.TryGetValue(RegisteredAtKey, out var at) && long.TryParse(at, NumberStyles.Integer, CultureInfo.InvariantCulture, out var atMs))
        {
            registration.RegisteredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(atMs));
        }

        return registration;
    }

    /// <summary>The TTL a registration's metadata records, or null when static.</summary>
    public static TimeSpan? TtlOf(IReadOnlyDictionary<string, string>? meta) =>
        meta is not null && meta.TryGetValue(TtlKey, out var ttl) && long.TryParse(ttl, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? TimeSpan.FromMilliseconds(ms)
            : null;

    /// <summary>The lease a registration's metadata records, 0 when static.</summary>
    public static long LeaseOf(IReadOnlyDictionary<string, string>? meta) =>
        meta is not null && meta.TryGetValue(LeaseKey, out var lease) && long.TryParse(lease, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)
            ? id
            : 0;

    /// <summary>Address and Port from the first endpoint, when it names a host and port Consul accepts.</summary>
    private static (string? Address, int? Port) AddressOf(Registration registration)
    {
        if (registration.Endpoints.Count == 0
            || !Uri.TryCreate(registration.Endpoints[0], UriKind.Absolute, out var uri)
            || string.IsNullOrEmpty(uri.Host) || uri.Port <= 0)
        {
            return (null, null);
        }

        var host = uri.Host.Trim('[', ']');
        // Consul refuses an "any" address for a service ("Invalid service address").
        return host is "0.0.0.0" or "::" ? (null, null) : (host, uri.Port);
    }

    private static void ValidateUserKey(string key)
    {
        if (key.Length == 0 || key.Length > MaxMetaKeyLength)
        {
            throw new ArgumentException(
                $"The metadata key '{Shorten(key)}' is {key.Length} characters long; a Consul metadata key has 1 to {MaxMetaKeyLength}.", "registration");
        }

        if (!key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw new ArgumentException(
                $"The metadata key '{Shorten(key)}' has characters Consul does not allow in a metadata key (only A-Z, a-z, 0-9, '_' and '-').", "registration");
        }

        if (key.StartsWith(ConsulReservedPrefix, StringComparison.Ordinal) || key.StartsWith(ReservedPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The metadata key '{key}' begins with '{ConsulReservedPrefix}' (kept by Consul) or '{ReservedPrefix}' (kept by this store).", "registration");
        }
    }

    private static void ValidateValue(string what, string value)
    {
        var bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes > MaxMetaValueBytes)
        {
            throw new ArgumentException(
                $"The {what} is {bytes} bytes long (UTF-8); a Consul metadata value has at most {MaxMetaValueBytes}.", "registration");
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
