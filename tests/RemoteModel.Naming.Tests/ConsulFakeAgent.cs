using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace RemoteModel.Naming.Tests;

/// <summary>
/// An in-memory stand-in for one Consul agent and its server, holding only what this project's
/// store uses, as Consul's HTTP API documentation describes it: agent service register (with a
/// TTL check, its initial Status, replace-existing-checks and Consul's metadata limits) and
/// deregister, TTL check pass, the agent's own view of a service's health, and the health query
/// with <c>?passing</c> and blocking (<c>?index=&amp;wait=</c>, <c>X-Consul-Index</c>). TTL checks
/// turn critical on the given clock. It is this project's reading of Consul, not Consul: the live
/// contract tests are what prove the store against the real thing.
/// </summary>
internal sealed partial class ConsulFakeAgent(TimeProvider clock) : HttpMessageHandler
{
    private const string Node = "fake-node";
    private static readonly string[] ServiceFields = ["ID", "Name", "Tags", "Address", "Port", "Meta", "Check"];
    private static readonly string[] CheckFields = ["CheckID", "Name", "TTL", "Status", "DeregisterCriticalServiceAfter"];

    private readonly object _gate = new();
    private readonly Dictionary<string, FakeService> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _serviceIndex = new(StringComparer.Ordinal);
    private readonly List<string> _log = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _index = 10;

    /// <summary>When set, requests without this X-Consul-Token are refused with 403, as an agent with ACLs does.</summary>
    public string? RequiredToken { get; init; }

    /// <summary>Answer a pass on an unknown check as Consul before 1.10 did: 500 "does not have associated TTL".</summary>
    public bool LegacyPassErrors { get; init; }

    /// <summary>"METHOD path?query" of every request, in order.</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_gate)
            {
                return [.. _log];
            }
        }
    }

    /// <summary>Makes a registered service's TTL check critical now, as if its TTL had passed.</summary>
    public void Expire(string id)
    {
        lock (_gate)
        {
            if (_services.TryGetValue(id, out var service) && service.Check is { } check && check.Status != "critical")
            {
                check.Status = "critical";
                Bump(service.Name);
            }
        }
    }

    /// <summary>Registers a service the way another agent (node) would, for tests of what the store does with it.</summary>
    public void RegisterElsewhere(string id, string name, string node)
    {
        lock (_gate)
        {
            var index = ++_index;
            _services[id] = new FakeService(id, name, [], null, 0, new Dictionary<string, string> { ["rm-kind"] = "model" }, index, index, node, null);
            _serviceIndex[name] = index;
            Signal();
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        var path = uri.AbsolutePath;
        var query = ParseQuery(uri.Query);
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (_gate)
        {
            _log.Add($"{request.Method} {uri.PathAndQuery}");
        }

        if (RequiredToken is not null
            && (!request.Headers.TryGetValues("X-Consul-Token", out var tokens) || tokens.FirstOrDefault() != RequiredToken))
        {
            return Text(HttpStatusCode.Forbidden, "Permission denied: token with AccessorID 'fake-accessor' lacks permission 'service:write'");
        }

        if (request.Method == HttpMethod.Put && path == "/v1/agent/service/register")
        {
            return Register(body, query);
        }

        if (request.Method == HttpMethod.Put && Rest(path, "/v1/agent/service/deregister/") is { } deregisterId)
        {
            return Deregister(deregisterId);
        }

        if (request.Method == HttpMethod.Put && Rest(path, "/v1/agent/check/pass/") is { } checkId)
        {
            return Pass(checkId);
        }

        if (request.Method == HttpMethod.Get && Rest(path, "/v1/agent/health/service/id/") is { } healthId)
        {
            return LocalHealth(healthId);
        }

        if (request.Method == HttpMethod.Get && path == "/v1/agent/services")
        {
            return AgentServices();
        }

        if (request.Method == HttpMethod.Get && Rest(path, "/v1/health/service/") is { } serviceName)
        {
            return await HealthAsync(serviceName, query, cancellationToken);
        }

        return Text(HttpStatusCode.NotFound, $"no fake route for {request.Method} {path}");
    }

    private HttpResponseMessage Register(string? body, IReadOnlyDictionary<string, string?> query)
    {
        JsonObject definition;
        try
        {
            definition = JsonNode.Parse(body ?? "")?.AsObject() ?? throw new JsonException("no body");
        }
        catch (JsonException error)
        {
            return Text(HttpStatusCode.BadRequest, $"Request decode failed: {error.Message}");
        }

        // Stricter than Consul: a field this store should not send is a mistake worth failing on.
        if (definition.Select(p => p.Key).FirstOrDefault(k => !ServiceFields.Contains(k, StringComparer.Ordinal)) is { } unknownField)
        {
            return Text(HttpStatusCode.BadRequest, $"Request decode failed: unexpected field {unknownField}");
        }

        var name = (string?)definition["Name"];
        if (string.IsNullOrEmpty(name))
        {
            return Text(HttpStatusCode.BadRequest, "Missing service name");
        }

        var id = (string?)definition["ID"] ?? name;
        var tags = definition["Tags"]?.AsArray().Select(t => (string)t!).ToList() ?? [];
        var meta = definition["Meta"]?.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal) ?? [];
        if (MetaProblem(meta) is { } problem)
        {
            return Text(HttpStatusCode.BadRequest, "Invalid Service Meta: " + problem);
        }

        var address = (string?)definition["Address"];
        var port = (int?)definition["Port"] ?? 0;
        FakeCheckDefinition? checkDefinition = null;
        if (definition["Check"] is JsonObject check)
        {
            if (check.Select(p => p.Key).FirstOrDefault(k => !CheckFields.Contains(k, StringComparer.Ordinal)) is { } unknownCheckField)
            {
                return Text(HttpStatusCode.BadRequest, $"Request decode failed: unexpected check field {unknownCheckField}");
            }

            if (ParseGoDuration((string?)check["TTL"]) is not { } ttl
                || ParseGoDuration((string?)check["DeregisterCriticalServiceAfter"]) is not { } deregisterAfter)
            {
                return Text(HttpStatusCode.BadRequest, "Invalid check: TTL and DeregisterCriticalServiceAfter must be durations");
            }

            var status = (string?)check["Status"] ?? "critical";
            if (status is not ("passing" or "warning" or "critical"))
            {
                return Text(HttpStatusCode.BadRequest, "Status for checks must 'passing', 'warning', 'critical'");
            }

            checkDefinition = new FakeCheckDefinition((string?)check["CheckID"] ?? "service:" + id, ttl, status, deregisterAfter);
        }

        var replaceChecks = query.TryGetValue("replace-existing-checks", out var replace) && (replace is null or "" or "true");
        lock (_gate)
        {
            var changed = false;
            _services.TryGetValue(id, out var existing);
            var service = existing;
            if (existing is null || existing.Name != name || !existing.Tags.SequenceEqual(tags) || existing.Address != address
                || existing.Port != port || !SameMeta(existing.Meta, meta))
            {
                var index = _index + 1;
                service = new FakeService(id, name, tags, address, port, meta, existing?.CreateIndex ?? index, index, Node, existing?.Check);
                _services[id] = service;
                changed = true;
            }

            if (checkDefinition is not null)
            {
                var current = service!.Check;
                if (current is null || current.Id != checkDefinition.Id || current.Status != checkDefinition.Status)
                {
                    changed = true;
                }

                current?.Timer.Dispose();
                service.Check = new FakeCheck(checkDefinition.Id, checkDefinition.Ttl, checkDefinition.Status, null!);
                service.Check.Timer = clock.CreateTimer(_ => Expire(id), null, checkDefinition.Ttl, Timeout.InfiniteTimeSpan);
            }
            else if (replaceChecks && service!.Check is { } dropped)
            {
                dropped.Timer.Dispose();
                service.Check = null;
                changed = true;
            }

            if (changed)
            {
                Bump(name);
            }
        }

        return new HttpResponseMessage(HttpStatusCode.OK);
    }

    private HttpResponseMessage Deregister(string id)
    {
        lock (_gate)
        {
            if (!_services.Remove(id, out var service))
            {
                return Text(HttpStatusCode.NotFound, $"Unknown service ID \"{id}\". Ensure that the service ID is passed, not the service name.");
            }

            service.Check?.Timer.Dispose();
            Bump(service.Name);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    private HttpResponseMessage Pass(string checkId)
    {
        lock (_gate)
        {
            var service = _services.Values.FirstOrDefault(s => s.Check?.Id == checkId);
            if (service?.Check is not { } check)
            {
                return LegacyPassErrors
                    ? Text(HttpStatusCode.InternalServerError, $"CheckID \"{checkId}\" does not have associated TTL")
                    : Text(HttpStatusCode.NotFound, $"Unknown check ID \"{checkId}\". Ensure that the check ID is passed, not the check name.");
            }

            check.Timer.Change(check.Ttl, Timeout.InfiniteTimeSpan);
            if (check.Status != "passing")
            {
                check.Status = "passing";
                Bump(service.Name);
            }

            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    private HttpResponseMessage LocalHealth(string id)
    {
        lock (_gate)
        {
            if (!_services.TryGetValue(id, out var service) || service.Node != Node)
            {
                return Json(
                    new JsonObject { ["AggregatedStatus"] = "critical", ["Service"] = null, ["Checks"] = null },
                    null, HttpStatusCode.NotFound);
            }

            var status = service.Check?.Status ?? "passing";
            var answer = new JsonObject
            {
                ["AggregatedStatus"] = status,
                ["Service"] = ServiceJson(service, withIndexes: false),
                ["Checks"] = new JsonArray(service.Check is null ? [] : [CheckJson(service)]),
            };
            return Json(answer, null, status == "critical" ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK);
        }
    }

    private HttpResponseMessage AgentServices()
    {
        lock (_gate)
        {
            var answer = new JsonObject();
            foreach (var service in _services.Values.Where(s => s.Node == Node))
            {
                answer[service.Id] = ServiceJson(service, withIndexes: false);
            }

            return Json(answer, null);
        }
    }

    private async Task<HttpResponseMessage> HealthAsync(string name, IReadOnlyDictionary<string, string?> query, CancellationToken cancellationToken)
    {
        var passing = query.TryGetValue("passing", out var passingValue) && passingValue is null or "" or "true";
        if (query.TryGetValue("index", out var indexText) && long.TryParse(indexText, CultureInfo.InvariantCulture, out var waitAfter) && waitAfter > 0)
        {
            var wait = query.TryGetValue("wait", out var waitText) && ParseGoDuration(waitText) is { } parsed ? parsed : TimeSpan.FromMinutes(5);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(wait);
            while (true)
            {
                Task changed;
                lock (_gate)
                {
                    if (IndexOf(name) > waitAfter)
                    {
                        break;
                    }

                    changed = _changed.Task;
                }

                try
                {
                    await changed.WaitAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    break;
                }
            }
        }

        lock (_gate)
        {
            var entries = new JsonArray();
            foreach (var service in _services.Values.Where(s => s.Name == name).OrderBy(s => s.Id, StringComparer.Ordinal))
            {
                if (passing && service.Check is { Status: not "passing" })
                {
                    continue;
                }

                var checks = new JsonArray();
                if (service.Check is not null)
                {
                    checks.Add(CheckJson(service));
                }

                checks.Add(new JsonObject
                {
                    ["Node"] = service.Node, ["CheckID"] = "serfHealth", ["Name"] = "Serf Health Status", ["Status"] = "passing",
                    ["Notes"] = "", ["Output"] = "Agent alive and reachable", ["ServiceID"] = "", ["ServiceName"] = "",
                    ["ServiceTags"] = new JsonArray(), ["Namespace"] = "default",
                });
                entries.Add(new JsonObject
                {
                    ["Node"] = new JsonObject
                    {
                        ["ID"] = "40e4a748-2192-161a-0510-9bf59fe950b5", ["Node"] = service.Node, ["Address"] = "127.0.0.1",
                        ["Datacenter"] = "dc1", ["TaggedAddresses"] = new JsonObject { ["lan"] = "127.0.0.1", ["wan"] = "127.0.0.1" },
                        ["Meta"] = new JsonObject { ["consul-network-segment"] = "" },
                    },
                    ["Service"] = ServiceJson(service, withIndexes: true),
                    ["Checks"] = checks,
                });
            }

            return Json(entries, IndexOf(name));
        }
    }

    private static JsonObject ServiceJson(FakeService service, bool withIndexes)
    {
        var json = new JsonObject
        {
            ["ID"] = service.Id,
            ["Service"] = service.Name,
            ["Tags"] = new JsonArray([.. service.Tags.Select(t => JsonValue.Create(t))]),
            ["Address"] = service.Address ?? "",
            ["Meta"] = new JsonObject([.. service.Meta.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))]),
            ["Port"] = service.Port,
            ["Weights"] = new JsonObject { ["Passing"] = 1, ["Warning"] = 1 },
            ["EnableTagOverride"] = false,
            ["Datacenter"] = "dc1",
        };
        if (withIndexes)
        {
            json["CreateIndex"] = service.CreateIndex;
            json["ModifyIndex"] = service.ModifyIndex;
        }

        return json;
    }

    private static JsonObject CheckJson(FakeService service) => new()
    {
        ["Node"] = service.Node, ["CheckID"] = service.Check!.Id, ["Name"] = "RemoteModel lease", ["Status"] = service.Check.Status,
        ["Notes"] = "", ["Output"] = service.Check.Status == "critical" ? "TTL expired" : "", ["ServiceID"] = service.Id,
        ["ServiceName"] = service.Name, ["ServiceTags"] = new JsonArray([.. service.Tags.Select(t => JsonValue.Create(t))]),
        ["Type"] = "ttl", ["Namespace"] = "default",
    };

    /// <summary>Consul's service metadata rules: 64 pairs, keys of 1-128 from [A-Za-z0-9_-] not starting "consul-", values of at most 512 bytes.</summary>
    private static string? MetaProblem(IReadOnlyDictionary<string, string> meta)
    {
        if (meta.Count > 64)
        {
            return "metadata cannot contain more than 64 key/value pairs";
        }

        foreach (var (key, value) in meta)
        {
            if (!MetaKey().IsMatch(key) || key.Length > 128 || key.StartsWith("consul-", StringComparison.Ordinal)
                || Encoding.UTF8.GetByteCount(value) > 512)
            {
                return $"Couldn't load metadata pair ('{key}', '{value}')";
            }
        }

        return null;
    }

    private static bool SameMeta(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value);

    /// <summary>Go's duration text: one or more number-unit pairs (h, m, s, ms).</summary>
    private static TimeSpan? ParseGoDuration(string? text)
    {
        if (string.IsNullOrEmpty(text) || !GoDurationText().IsMatch(text))
        {
            return null;
        }

        var total = TimeSpan.Zero;
        foreach (Match part in GoDurationPart().Matches(text))
        {
            var number = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(number),
                "m" => TimeSpan.FromMinutes(number),
                "s" => TimeSpan.FromSeconds(number),
                _ => TimeSpan.FromMilliseconds(number),
            };
        }

        return total;
    }

    private static Dictionary<string, string?> ParseQuery(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length == 2 ? Uri.UnescapeDataString(p[1]) : null);

    /// <summary>The rest of an escaped path after <paramref name="prefix"/>, unescaped as Go's HTTP server does.</summary>
    private static string? Rest(string path, string prefix) =>
        path.StartsWith(prefix, StringComparison.Ordinal) && path.Length > prefix.Length ? Uri.UnescapeDataString(path[prefix.Length..]) : null;

    private static HttpResponseMessage Json(JsonNode json, long? index, HttpStatusCode status = HttpStatusCode.OK)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json") };
        if (index is { } consulIndex)
        {
            response.Headers.Add("X-Consul-Index", consulIndex.ToString(CultureInfo.InvariantCulture));
        }

        return response;
    }

    private static HttpResponseMessage Text(HttpStatusCode status, string text) =>
        new(status) { Content = new StringContent(text, Encoding.UTF8, "text/plain") };

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex MetaKey();

    [GeneratedRegex(@"^(\d+(\.\d+)?(h|m|s|ms))+$")]
    private static partial Regex GoDurationText();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|h|m|s)")]
    private static partial Regex GoDurationPart();

    private long IndexOf(string name) => _serviceIndex.TryGetValue(name, out var index) ? index : 1;

    private void Bump(string name)
    {
        _index++;
        _serviceIndex[name] = _index;
        Signal();
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private sealed record FakeCheckDefinition(string Id, TimeSpan Ttl, string Status, TimeSpan DeregisterCriticalServiceAfter);

    private sealed class FakeCheck(string id, TimeSpan ttl, string status, ITimer timer)
    {
        public string Id { get; } = id;

        public TimeSpan Ttl { get; } = ttl;

        public string Status { get; set; } = status;

        public ITimer Timer { get; set; } = timer;
    }

    private sealed class FakeService(
        string id, string name, List<string> tags, string? address, int port, Dictionary<string, string> meta,
        long createIndex, long modifyIndex, string node, FakeCheck? check)
    {
        public string Id { get; } = id;

        public string Name { get; } = name;

        public List<string> Tags { get; } = tags;

        public string? Address { get; } = address;

        public int Port { get; } = port;

        public Dictionary<string, string> Meta { get; } = meta;

        public long CreateIndex { get; } = createIndex;

        public long ModifyIndex { get; } = modifyIndex;

        public string Node { get; } = node;

        public FakeCheck? Check { get; set; } = check;
    }
}
