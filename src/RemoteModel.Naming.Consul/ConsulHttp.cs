using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RemoteModel.Naming.Registry;

namespace RemoteModel.Naming.Consul;

/// <summary>The answer of a health query: its instances by name and the <c>X-Consul-Index</c> they are as of.</summary>
internal sealed record ServiceRead(long Index, IReadOnlyDictionary<string, ConsulInstance> Instances);

/// <summary>What the agent knows of one of its own service instances.</summary>
internal sealed record LocalService(string Name, long LeaseId, TimeSpan? Ttl, bool Critical);

/// <summary>
/// The few Consul HTTP API calls the store makes, over one <see cref="HttpClient"/>: the ACL token
/// on every request, per-request timeouts, and Consul's failures turned into
/// <see cref="RegistryUnavailableException"/> that name the address (never the token).
/// </summary>
internal sealed class ConsulHttp : IDisposable
{
    private const int MaxErrorBodyChars = 400;
    private const string TokenHeader = "X-Consul-Token";
    private const string IndexHeader = "X-Consul-Index";

    private readonly HttpClient _client;
    private readonly ConsulRegistryOptions _options;
    private readonly ILogger _logger;
    private readonly string _servicePath;

    public ConsulHttp(ConsulRegistryOptions options, HttpMessageHandler? handler, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _client = handler is null
            ? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true)
            : new HttpClient(handler, disposeHandler: false);
        _client.BaseAddress = options.Address;
        _client.Timeout = Timeout.InfiniteTimeSpan;
        _servicePath = "/v1/health/service/" + Uri.EscapeDataString(options.ServiceName);
    }

    /// <summary>An ID or check ID as one URL path segment ('/' escaped as %2F, as Consul's own Go client does).</summary>
    public static string PathSegment(string id) => Uri.EscapeDataString(id);

    /// <summary>
    /// <c>GET /v1/health/service/:service?passing</c>: the instances whose checks all pass. With an
    /// <paramref name="index"/>, a blocking query that waits up to <paramref name="wait"/> for a change after it.
    /// </summary>
    public async Task<ServiceRead> ReadServiceAsync(long index, TimeSpan wait, CancellationToken cancellationToken)
    {
        var blocking = index > 0;
        var path = blocking
            ? $"{_servicePath}?passing&index={index.ToString(CultureInfo.InvariantCulture)}&wait={GoDuration.Format(wait)}"
            : _servicePath + "?passing";
        // Consul may add up to wait/16 to a blocking query.
        var timeout = blocking ? wait + wait / 16 + _options.RequestTimeout : _options.RequestTimeout;
        var operation = blocking ? $"the blocking query on service '{_options.ServiceName}'" : $"the health query on service '{_options.ServiceName}'";
        using var response = await SendAsync(HttpMethod.Get, path, null, timeout, operation, cancellationToken);
        await EnsureSuccessAsync(response, operation, cancellationToken);
        var consulIndex = IndexOf(response);
        var entries = await ReadJsonAsync<List<HealthEntry>>(response, operation, cancellationToken) ?? [];
        var instances = new Dictionary<string, ConsulInstance>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (ConsulMapping.FromHealthEntry(entry, consulIndex) is not { } instance)
            {
                continue;
            }

            var name = instance.Registration.Name;
            if (instances.TryGetValue(name, out var other))
            {
                // Consul IDs are unique per agent only: the same name registered through two agents.
                _logger.LogWarning(
                    "Consul service '{Service}' has the instance '{Name}' on the nodes '{Node}' and '{Other}'; the one changed last is used.",
                    _options.ServiceName, name, instance.Node, other.Node);
                if (other.ModifyIndex > instance.ModifyIndex
                    || (other.ModifyIndex == instance.ModifyIndex && string.CompareOrdinal(other.Node, instance.Node) <= 0))
                {
                    continue;
                }
            }

            instances[name] = instance;
        }

        return new ServiceRead(consulIndex, instances);
    }

    /// <summary><c>PUT /v1/agent/service/register?replace-existing-checks</c>: checks left out of the body are removed.</summary>
    public async Task RegisterAsync(ServiceRegistrationBody body, CancellationToken cancellationToken)
    {
        var operation = $"registering '{body.Id}'";
        using var content = JsonContent.Create(body, options: ConsulJson.Options);
        using var response = await SendAsync(
            HttpMethod.Put, "/v1/agent/service/register?replace-existing-checks=true", content, _options.RequestTimeout, operation, cancellationToken);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            throw new ArgumentException(
                $"Consul at {_options.DisplayAddress} refused the registration '{body.Id}': {await ErrorTextAsync(response, cancellationToken)}", "registration");
        }

        await EnsureSuccessAsync(response, operation, cancellationToken);
    }

    /// <summary><c>PUT /v1/agent/service/deregister/:service_id</c>; false when the agent does not know it (404).</summary>
    public async Task<bool> DeregisterAsync(string name, CancellationToken cancellationToken)
    {
        var operation = $"deregistering '{name}'";
        using var response = await SendAsync(
            HttpMethod.Put, "/v1/agent/service/deregister/" + PathSegment(name), null, _options.RequestTimeout, operation, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, operation, cancellationToken);
        return true;
    }

    /// <summary>
    /// <c>PUT /v1/agent/check/pass/:check_id</c>: the TTL check passes and its clock restarts.
    /// False when the agent has no such TTL check: 404 in current Consul; older versions answer 500
    /// with "does not have associated TTL".
    /// </summary>
    public async Task<bool> PassAsync(string checkId, CancellationToken cancellationToken)
    {
        var operation = $"renewing the TTL check '{checkId}'";
        using var response = await SendAsync(
            HttpMethod.Put, "/v1/agent/check/pass/" + PathSegment(checkId), null, _options.RequestTimeout, operation, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        if (response.StatusCode == HttpStatusCode.InternalServerError)
        {
            var text = await ErrorTextAsync(response, cancellationToken);
            if (text.Contains("does not have associated TTL", StringComparison.OrdinalIgnoreCase)
                || text.Contains("Unknown check", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            throw Unavailable(operation, response.StatusCode, text);
        }

        await EnsureSuccessAsync(response, operation, cancellationToken);
        return true;
    }

    /// <summary>
    /// <c>GET /v1/agent/health/service/id/:service_id</c>: one of this agent's instances of the
    /// registry's service and whether its checks pass; null when the agent has none by that ID.
    /// Answers 200 (passing), 429 (warning) or 503 (critical), each with the same body.
    /// </summary>
    public async Task<LocalService?> LocalServiceAsync(string name, CancellationToken cancellationToken)
    {
        var operation = $"looking up '{name}' on the agent";
        using var response = await SendAsync(
            HttpMethod.Get, "/v1/agent/health/service/id/" + PathSegment(name) + "?format=json", null, _options.RequestTimeout, operation, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable))
        {
            await EnsureSuccessAsync(response, operation, cancellationToken);
        }

        var health = await ReadJsonAsync<AgentServiceHealth>(response, operation, cancellationToken);
        if (health?.Service is not { } service || service.Service != _options.ServiceName)
        {
            return null;
        }

        var critical = response.StatusCode == HttpStatusCode.ServiceUnavailable
            || string.Equals(health.AggregatedStatus, ConsulMapping.CriticalStatus, StringComparison.OrdinalIgnoreCase);
        return new LocalService(name, ConsulMapping.LeaseOf(service.Meta), ConsulMapping.TtlOf(service.Meta), critical);
    }

    /// <summary><c>GET /v1/agent/services</c>: the name of this agent's instance that holds <paramref name="leaseId"/>, or null.</summary>
    public async Task<string?> FindLeaseHolderAsync(long leaseId, CancellationToken cancellationToken)
    {
        const string operation = "listing the agent's services";
        using var response = await SendAsync(HttpMethod.Get, "/v1/agent/services", null, _options.RequestTimeout, operation, cancellationToken);
        await EnsureSuccessAsync(response, operation, cancellationToken);
        var services = await ReadJsonAsync<Dictionary<string, ServiceEntry>>(response, operation, cancellationToken) ?? [];
        return services.Values
            .Where(s => s.Service == _options.ServiceName && s.Id is not null && ConsulMapping.LeaseOf(s.Meta) == leaseId)
            .Select(s => s.Id)
            .FirstOrDefault();
    }

    public void Dispose() => _client.Dispose();

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, HttpContent? content, TimeSpan timeout, string operation, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (!string.IsNullOrEmpty(_options.Token))
        {
            request.Headers.TryAddWithoutValidation(TokenHeader, _options.Token);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("Consul at {Address} did not answer {Operation} within {Timeout}.", _options.DisplayAddress, operation, timeout);
            throw new RegistryUnavailableException(
                $"Consul at {_options.DisplayAddress} did not answer {operation} within {timeout.TotalSeconds:0.###} s.");
        }
        catch (HttpRequestException error)
        {
            _logger.LogWarning("Consul at {Address} cannot be reached ({Operation}): {Error}", _options.DisplayAddress, operation, error.Message);
            throw new RegistryUnavailableException(
                $"Consul at {_options.DisplayAddress} cannot be reached ({operation}): {Scrub(error.Message)}", error);
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await ErrorTextAsync(response, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            var message = string.IsNullOrEmpty(_options.Token)
                ? $"Consul at {_options.DisplayAddress} refused {operation}: ACL permission denied (403) and no ACL token is configured (ConsulRegistryOptions.Token). Consul said: {text}"
                : $"Consul at {_options.DisplayAddress} refused the ACL token for {operation} (403): the token is unknown or lacks service:write on '{_options.ServiceName}'. Consul said: {text}";
            _logger.LogWarning("Consul at {Address} refused the ACL token for {Operation} (403).", _options.DisplayAddress, operation);
            throw new RegistryUnavailableException(message);
        }

        throw Unavailable(operation, response.StatusCode, text);
    }

    private RegistryUnavailableException Unavailable(string operation, HttpStatusCode status, string text)
    {
        _logger.LogWarning("Consul at {Address} failed {Operation} ({Status}).", _options.DisplayAddress, operation, (int)status);
        return new RegistryUnavailableException(
            $"Consul at {_options.DisplayAddress} failed {operation} ({(int)status} {status}): {text}");
    }

    private async Task<T?> ReadJsonAsync<T>(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(ConsulJson.Options, cancellationToken);
        }
        catch (JsonException error)
        {
            throw new RegistryUnavailableException(
                $"Consul at {_options.DisplayAddress} answered {operation} with JSON this store cannot read: {error.Message}", error);
        }
    }

    private async Task<string> ErrorTextAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
        if (text.Length > MaxErrorBodyChars)
        {
            text = text[..MaxErrorBodyChars] + "...";
        }

        return text.Length == 0 ? "(no message)" : Scrub(text);
    }

    /// <summary>The text with the ACL token blanked out, should the other side have echoed it.</summary>
    private string Scrub(string text) =>
        string.IsNullOrEmpty(_options.Token) ? text : text.Replace(_options.Token, "<token>", StringComparison.Ordinal);

    private long IndexOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues(IndexHeader, out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? index
            : throw new RegistryUnavailableException(
                $"Consul at {_options.DisplayAddress} answered a health query on service '{_options.ServiceName}' without an {IndexHeader} header.");
}
