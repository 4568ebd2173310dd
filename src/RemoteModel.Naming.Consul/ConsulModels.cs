using System.Text.Json;
using System.Text.Json.Serialization;

namespace RemoteModel.Naming.Consul;

// The JSON Consul's HTTP API reads and writes, with its exact field names (Consul's are
// PascalCase with "ID" and "TTL" upper-case; nothing here is renamed by a naming policy).

/// <summary>The body of <c>PUT /v1/agent/service/register</c>.</summary>
internal sealed class ServiceRegistrationBody
{
    [JsonPropertyName("ID")]
    public required string Id { get; init; }

    [JsonPropertyName("Name")]
    public required string Name { get; init; }

    [JsonPropertyName("Tags")]
    public required IReadOnlyList<string> Tags { get; init; }

    [JsonPropertyName("Address")]
    public string? Address { get; init; }

    [JsonPropertyName("Port")]
    public int? Port { get; init; }

    [JsonPropertyName("Meta")]
    public required IReadOnlyDictionary<string, string> Meta { get; init; }

    [JsonPropertyName("Check")]
    public TtlCheckBody? Check { get; init; }
}

/// <summary>A TTL check, as the <c>Check</c> of a service registration.</summary>
internal sealed class TtlCheckBody
{
    [JsonPropertyName("CheckID")]
    public required string CheckId { get; init; }

    [JsonPropertyName("Name")]
    public required string Name { get; init; }

    [JsonPropertyName("TTL")]
    public required string Ttl { get; init; }

    /// <summary>The initial status: a TTL check starts critical unless told otherwise.</summary>
    [JsonPropertyName("Status")]
    public required string Status { get; init; }

    [JsonPropertyName("DeregisterCriticalServiceAfter")]
    public required string DeregisterCriticalServiceAfter { get; init; }
}

/// <summary>One element of <c>GET /v1/health/service/:service</c>.</summary>
internal sealed class HealthEntry
{
    [JsonPropertyName("Node")]
    public HealthNode? Node { get; init; }

    [JsonPropertyName("Service")]
    public ServiceEntry? Service { get; init; }

    [JsonPropertyName("Checks")]
    public List<HealthCheckEntry>? Checks { get; init; }
}

internal sealed class HealthNode
{
    [JsonPropertyName("Node")]
    public string? Name { get; init; }
}

/// <summary>A service instance as the health, catalog and agent endpoints show it.</summary>
internal sealed class ServiceEntry
{
    [JsonPropertyName("ID")]
    public string? Id { get; init; }

    [JsonPropertyName("Service")]
    public string? Service { get; init; }

    [JsonPropertyName("Tags")]
    public List<string>? Tags { get; init; }

    [JsonPropertyName("Address")]
    public string? Address { get; init; }

    [JsonPropertyName("Port")]
    public int Port { get; init; }

    [JsonPropertyName("Meta")]
    public Dictionary<string, string>? Meta { get; init; }

    /// <summary>Set by the health and catalog endpoints (the Raft index that created the entry).</summary>
    [JsonPropertyName("CreateIndex")]
    public long CreateIndex { get; init; }

    /// <summary>Set by the health and catalog endpoints (the Raft index that last changed the entry).</summary>
    [JsonPropertyName("ModifyIndex")]
    public long ModifyIndex { get; init; }
}

internal sealed class HealthCheckEntry
{
    [JsonPropertyName("CheckID")]
    public string? CheckId { get; init; }

    [JsonPropertyName("Status")]
    public string? Status { get; init; }

    [JsonPropertyName("ServiceID")]
    public string? ServiceId { get; init; }
}

/// <summary>The answer of <c>GET /v1/agent/health/service/id/:service_id</c>.</summary>
internal sealed class AgentServiceHealth
{
    [JsonPropertyName("AggregatedStatus")]
    public string? AggregatedStatus { get; init; }

    [JsonPropertyName("Service")]
    public ServiceEntry? Service { get; init; }

    [JsonPropertyName("Checks")]
    public List<HealthCheckEntry>? Checks { get; init; }
}

internal static class ConsulJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = false,
    };
}
