using System.Net;
using System.Text.Json;
using RemoteModel.Naming.Consul;
using RemoteModel.Naming.Registry;
using RemoteModel.Naming.V1;

namespace RemoteModel.Naming.Tests;

/// <summary>
/// What the Consul store sends and how it reads the answers, against Consul's documented HTTP API
/// (agent/service/register, agent/service/deregister, agent/check/pass, agent/health/service/id,
/// health/service with ?passing and blocking queries, the X-Consul-Token header). The answers are
/// written from the fields the documentation shows; no Consul is involved.
/// </summary>
public sealed class ConsulRequestShapeTests
{
    private const string Token = "3f6a1c2e-secret-token-9d1b";

    /// <summary>
    /// A /v1/health/service answer shaped as the documentation's sample: Node, Service (ID, Service,
    /// Tags, Address, TaggedAddresses, Meta, Port, Weights, Namespace; CreateIndex and ModifyIndex as
    /// Consul's API structures declare them for health and catalog answers) and Checks (the service's
    /// TTL check and the node's serfHealth). The second instance was not made by this store.
    /// </summary>
    private const string HealthSample = """
        [
          {
            "Node": {
              "ID": "40e4a748-2192-161a-0510-9bf59fe950b5",
              "Node": "foobar",
              "Address": "10.1.10.12",
              "Datacenter": "dc1",
              "TaggedAddresses": { "lan": "10.1.10.12", "wan": "10.1.10.12" },
              "Meta": { "instance_type": "t2.medium" }
            },
            "Service": {
              "ID": "lab/stage/x",
              "Service": "remotemodel",
              "Tags": ["motor", "kind:model"],
              "Address": "10.0.0.1",
              "TaggedAddresses": {
                "lan": { "address": "10.0.0.1", "port": 5001 },
                "wan": { "address": "198.18.1.2", "port": 80 }
              },
              "Meta": {
                "room": "B12",
                "rm-kind": "model",
                "rm-endpoint-0": "http://10.0.0.1:5001",
                "rm-endpoint-1": "unix:/run/x.sock",
                "rm-lease": "4242",
                "rm-ttl-ms": "30000",
                "rm-registered-at": "1767225600123"
              },
              "Port": 5001,
              "Weights": { "Passing": 1, "Warning": 1 },
              "Namespace": "default",
              "CreateIndex": 40,
              "ModifyIndex": 42
            },
            "Checks": [
              {
                "Node": "foobar",
                "CheckID": "service:lab/stage/x",
                "Name": "RemoteModel lease",
                "Status": "passing",
                "Notes": "",
                "Output": "",
                "ServiceID": "lab/stage/x",
                "ServiceName": "remotemodel",
                "ServiceTags": ["motor", "kind:model"],
                "Namespace": "default"
              },
              {
                "Node": "foobar",
                "CheckID": "serfHealth",
                "Name": "Serf Health Status",
                "Status": "passing",
                "Notes": "",
                "Output": "",
                "ServiceID": "",
                "ServiceName": "",
                "ServiceTags": [],
                "Namespace": "default"
              }
            ]
          },
          {
            "Node": { "ID": "50e4a748-2192-161a-0510-9bf59fe950b5", "Node": "other", "Address": "10.1.10.13", "Datacenter": "dc1" },
            "Service": {
              "ID": "lab/redis",
              "Service": "remotemodel",
              "Tags": ["primary"],
              "Address": "10.1.10.13",
              "Meta": { "redis_version": "4.0" },
              "Port": 8000,
              "Weights": { "Passing": 10, "Warning": 1 }
            },
            "Checks": []
          },
          {
            "Node": { "Node": "foobar" },
            "Service": { "ID": "elsewhere/y", "Service": "remotemodel", "Tags": [], "Meta": { "rm-kind": "viewer" }, "Port": 0, "CreateIndex": 7, "ModifyIndex": 7 },
            "Checks": []
          }
        ]
        """;

    [Fact]
    public async Task A_leased_registration_is_the_documented_service_definition_with_a_ttl_check()
    {
        var consul = new ConsulRecordingHandler { Answer = (r, _) => Task.FromResult(AnswerEmpty(r)) };
        await using var store = Store(consul);
        var registration = new Registration
        {
            Name = "lab/stage/x", Kind = "model", Endpoints = { "http://10.0.0.1:5001", "unix:/run/x.sock" },
            Metadata = { ["room"] = "B12" }, Tags = { "motor" },
        };

        var stored = await store.RegisterAsync(registration, TimeSpan.FromSeconds(30), safe: false, default);

        var register = consul.Requests[0];
        Assert.Equal(HttpMethod.Put, register.Method);
        Assert.Equal("/v1/agent/service/register", register.Path);
        Assert.Equal([("replace-existing-checks", "true")], register.Query);
        Assert.Equal("application/json", register.ContentType);
        using var body = JsonDocument.Parse(register.Body!);
        var root = body.RootElement;
        // Field names exactly as Consul reads them (case included): ID, Name, Tags, Address, Port, Meta, Check.
        Assert.Equal(["ID", "Name", "Tags", "Address", "Port", "Meta", "Check"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("lab/stage/x", root.GetProperty("ID").GetString());
        Assert.Equal("remotemodel", root.GetProperty("Name").GetString());
        Assert.Equal(["motor", "kind:model"], root.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("10.0.0.1", root.GetProperty("Address").GetString());
        Assert.Equal(5001, root.GetProperty("Port").GetInt32());
        var meta = root.GetProperty("Meta").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal("B12", meta["room"]);
        Assert.Equal("model", meta["rm-kind"]);
        Assert.Equal("http://10.0.0.1:5001", meta["rm-endpoint-0"]);
        Assert.Equal("unix:/run/x.sock", meta["rm-endpoint-1"]);
        Assert.Equal(stored.LeaseId.ToString(System.Globalization.CultureInfo.InvariantCulture), meta["rm-lease"]);
        Assert.Equal("30000", meta["rm-ttl-ms"]);
        Assert.True(long.Parse(meta["rm-registered-at"]!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        var check = root.GetProperty("Check");
        Assert.Equal(["CheckID", "Name", "TTL", "Status", "DeregisterCriticalServiceAfter"], check.EnumerateObject().Select(p => p.Name));
        Assert.Equal("service:lab/stage/x", check.GetProperty("CheckID").GetString());
        Assert.Equal("30s", check.GetProperty("TTL").GetString());
        // A TTL check starts critical unless its initial Status says otherwise.
        Assert.Equal("passing", check.GetProperty("Status").GetString());
        Assert.Equal("1m0s", check.GetProperty("DeregisterCriticalServiceAfter").GetString());

        // Then the registration is read back from the health endpoint.
        var readBack = consul.Requests[1];
        Assert.Equal(HttpMethod.Get, readBack.Method);
        Assert.Equal("/v1/health/service/remotemodel", readBack.Path);
        Assert.Equal([("passing", null)], readBack.Query);
        Assert.All(consul.Requests, r => Assert.Equal(Token, r.Headers["X-Consul-Token"]));

        Assert.NotEqual(0, stored.LeaseId);
        Assert.Equal(30, stored.Ttl.Seconds);
        Assert.Equal(5, stored.Revision);
        Assert.Equal(["motor"], stored.Tags);
    }

    [Fact]
    public async Task A_static_registration_has_no_check_and_drops_the_one_it_replaces()
    {
        var consul = new ConsulRecordingHandler { Answer = (r, _) => Task.FromResult(AnswerEmpty(r)) };
        await using var store = Store(consul, token: null);

        var stored = await store.RegisterAsync(
            new Registration { Name = "fixed", Kind = "nameserver", Endpoints = { "unix:/run/ns.sock" } }, ttl: null, safe: false, default);

        var register = consul.Requests[0];
        Assert.Equal([("replace-existing-checks", "true")], register.Query);
        using var body = JsonDocument.Parse(register.Body!);
        var names = body.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.DoesNotContain("Check", names);
        // No host and port in a unix endpoint: no Address and Port.
        Assert.DoesNotContain("Address", names);
        Assert.DoesNotContain("Port", names);
        var meta = body.RootElement.GetProperty("Meta").EnumerateObject().Select(p => p.Name).ToList();
        Assert.DoesNotContain("rm-lease", meta);
        Assert.DoesNotContain("rm-ttl-ms", meta);
        Assert.All(consul.Requests, r => Assert.False(r.Headers.ContainsKey("X-Consul-Token")));
        Assert.Equal(0, stored.LeaseId);
        Assert.Null(stored.Ttl);
    }

    [Fact]
    public async Task A_safe_registration_looks_for_a_passing_instance_first_and_sends_nothing_when_taken()
    {
        var consul = new ConsulRecordingHandler { Answer = (_, _) => Task.FromResult(ConsulRecordingHandler.Json(HealthSample, 50)) };
        await using var store = Store(consul);

        var error = await Assert.ThrowsAsync<NameTakenException>(() => store.RegisterAsync(
            new Registration { Name = "lab/stage/x", Kind = "model" }, TimeSpan.FromSeconds(10), safe: true, default));

        Assert.Equal("lab/stage/x", error.Name);
        var only = Assert.Single(consul.Requests);
        Assert.Equal(HttpMethod.Get, only.Method);
        Assert.Equal("/v1/health/service/remotemodel", only.Path);
        Assert.Equal([("passing", null)], only.Query);
    }

    [Fact]
    public async Task A_health_answer_reads_back_into_registrations_ordered_by_name_at_its_consul_index()
    {
        var consul = new ConsulRecordingHandler { Answer = (_, _) => Task.FromResult(ConsulRecordingHandler.Json(HealthSample, 57)) };
        await using var store = Store(consul);

        var snapshot = await store.ListAsync("lab/", default);

        Assert.Equal(57, snapshot.Revision);
        Assert.Equal(["lab/redis", "lab/stage/x"], snapshot.Registrations.Select(r => r.Name));
        var x = snapshot.Registrations[1];
        Assert.Equal("model", x.Kind);
        Assert.Equal(["http://10.0.0.1:5001", "unix:/run/x.sock"], x.Endpoints);
        Assert.Equal(["motor"], x.Tags);
        Assert.Equal(new Dictionary<string, string> { ["room"] = "B12" }, x.Metadata);
        Assert.Equal(4242, x.LeaseId);
        Assert.Equal(30, x.Ttl.Seconds);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1767225600123), x.RegisteredAt.ToDateTimeOffset());
        Assert.Equal(42, x.Revision);

        // An instance not made by this store: its tags and metadata as they are, Address:Port as its endpoint,
        // and (no ModifyIndex) the answer's index as its revision.
        var redis = snapshot.Registrations[0];
        Assert.Equal(["http://10.1.10.13:8000"], redis.Endpoints);
        Assert.Equal(["primary"], redis.Tags);
        Assert.Equal("4.0", redis.Metadata["redis_version"]);
        Assert.Equal(string.Empty, redis.Kind);
        Assert.Equal(0, redis.LeaseId);
        Assert.Equal(57, redis.Revision);

        Assert.Equal("viewer", (await store.GetAsync("elsewhere/y", default))!.Kind);
        Assert.Null(await store.GetAsync("lab/stage", default));
    }

    [Fact]
    public async Task A_watch_passes_the_index_it_last_saw_and_the_wait_to_a_blocking_query()
    {
        var answers = 0;
        var consul = new ConsulRecordingHandler
        {
            Answer = async (r, cancellationToken) =>
            {
                switch (Interlocked.Increment(ref answers))
                {
                    case 1:
                        return ConsulRecordingHandler.Json("[]", 41);
                    case 2:
                        return ConsulRecordingHandler.Json(HealthSample, 57);
                    default:
                        await Task.Delay(Timeout.Infinite, cancellationToken);
                        throw new InvalidOperationException("unreachable");
                }
            },
        };
        await using var store = Store(consul, watchWait: TimeSpan.FromSeconds(45));
        var start = (await store.ListAsync("lab/", default)).Revision;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var changes = new List<RegistryChange>();
        var watching = Task.Run(async () =>
        {
            await foreach (var change in store.WatchAsync("lab/", start, cts.Token))
            {
                changes.Add(change);
            }
        });

        await WaitUntilAsync(() => consul.Requests.Count >= 3);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching);

        Assert.Equal(41, start);
        Assert.Equal([("lab/redis", RegistryChangeKind.Registered, 57L), ("lab/stage/x", RegistryChangeKind.Registered, 57L)],
            changes.Select(c => (c.Registration.Name, c.Kind, c.Revision)));
        var requests = consul.Requests;
        Assert.Equal([("passing", null)], requests[0].Query);
        Assert.Equal("/v1/health/service/remotemodel", requests[1].Path);
        Assert.Equal([("passing", null), ("index", "41"), ("wait", "45s")], requests[1].Query);
        Assert.Equal([("passing", null), ("index", "57"), ("wait", "45s")], requests[2].Query);
        Assert.All(consul.Requests, r => Assert.Equal(Token, r.Headers["X-Consul-Token"]));
    }

    [Fact]
    public async Task A_watch_from_a_revision_beyond_consul_index_has_lost_its_history()
    {
        var consul = new ConsulRecordingHandler { Answer = (_, _) => Task.FromResult(ConsulRecordingHandler.Json("[]", 12)) };
        await using var store = Store(consul);

        await Assert.ThrowsAsync<RegistryHistoryLostException>(async () =>
        {
            await foreach (var _ in store.WatchAsync("", 9_000, default))
            {
            }
        });
    }

    [Fact]
    public async Task A_blocking_answer_below_the_index_it_waited_after_ends_the_watch_with_history_lost()
    {
        var answers = 0;
        var consul = new ConsulRecordingHandler
        {
            Answer = (_, _) => Task.FromResult(Interlocked.Increment(ref answers) == 1
                ? ConsulRecordingHandler.Json(HealthSample, 57)
                : ConsulRecordingHandler.Json("[]", 3)),
        };
        await using var store = Store(consul);
        var start = (await store.ListAsync("", default)).Revision;

        await Assert.ThrowsAsync<RegistryHistoryLostException>(async () =>
        {
            await foreach (var _ in store.WatchAsync("", start, default))
            {
            }
        });
        Assert.Equal([("passing", null), ("index", "57"), ("wait", "30s")], consul.Requests[1].Query);
    }

    [Fact]
    public async Task A_keep_alive_passes_the_service_check_of_the_lease_holder()
    {
        var consul = new ConsulRecordingHandler();
        consul.Answer = (r, _) => Task.FromResult(r.Path switch
        {
            "/v1/agent/service/register" => new HttpResponseMessage(HttpStatusCode.OK),
            "/v1/health/service/remotemodel" => ConsulRecordingHandler.Json("[]", 5),
            "/v1/agent/health/service/id/lab%2Fstage%2Fx" => ConsulRecordingHandler.Json(LocalHealth("lab/stage/x", LeaseIn(consul), "passing")),
            _ => new HttpResponseMessage(HttpStatusCode.OK),
        });
        await using var store = Store(consul);
        var stored = await store.RegisterAsync(new Registration { Name = "lab/stage/x", Kind = "model" }, TimeSpan.FromSeconds(10), false, default);

        Assert.Equal(TimeSpan.FromSeconds(10), await store.KeepAliveAsync(stored.LeaseId, default));

        var requests = consul.Requests.Skip(2).ToList();
        Assert.Equal(HttpMethod.Get, requests[0].Method);
        // The ID is one path segment: '/' escaped as %2F.
        Assert.Equal("/v1/agent/health/service/id/lab%2Fstage%2Fx", requests[0].Path);
        Assert.Equal(HttpMethod.Put, requests[1].Method);
        Assert.Equal("/v1/agent/check/pass/service%3Alab%2Fstage%2Fx", requests[1].Path);
        Assert.Null(requests[1].Body);
        Assert.All(consul.Requests, r => Assert.Equal(Token, r.Headers["X-Consul-Token"]));
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, "Unknown check ID \"service:x\". Ensure that the check ID is passed, not the check name.")]
    [InlineData(HttpStatusCode.InternalServerError, "CheckID \"service:x\" does not have associated TTL")]
    public async Task A_keep_alive_whose_check_consul_no_longer_has_answers_null(HttpStatusCode status, string text)
    {
        var consul = new ConsulRecordingHandler();
        consul.Answer = (r, _) => Task.FromResult(r.Path switch
        {
            "/v1/health/service/remotemodel" => ConsulRecordingHandler.Json("[]", 5),
            "/v1/agent/health/service/id/x" => ConsulRecordingHandler.Json(LocalHealth("x", LeaseIn(consul), "passing")),
            "/v1/agent/check/pass/service%3Ax" => ConsulRecordingHandler.Text(status, text),
            _ => new HttpResponseMessage(HttpStatusCode.OK),
        });
        await using var store = Store(consul);
        var stored = await store.RegisterAsync(new Registration { Name = "x", Kind = "model" }, TimeSpan.FromSeconds(10), false, default);

        Assert.Null(await store.KeepAliveAsync(stored.LeaseId, default));
    }

    [Fact]
    public async Task A_keep_alive_never_revives_a_critical_check_nor_renews_a_replaced_lease()
    {
        var consul = new ConsulRecordingHandler();
        var status = "critical";
        long? otherLease = null;
        consul.Answer = (r, _) => Task.FromResult(r.Path switch
        {
            "/v1/health/service/remotemodel" => ConsulRecordingHandler.Json("[]", 5),
            "/v1/agent/health/service/id/x" => ConsulRecordingHandler.Json(
                LocalHealth("x", otherLease ?? LeaseIn(consul), status), status: status == "critical" ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK),
            _ => new HttpResponseMessage(HttpStatusCode.OK),
        });
        await using var store = Store(consul);
        var first = await store.RegisterAsync(new Registration { Name = "x", Kind = "model" }, TimeSpan.FromSeconds(10), false, default);
        Assert.Null(await store.KeepAliveAsync(first.LeaseId, default));

        var second = await store.RegisterAsync(new Registration { Name = "x", Kind = "model" }, TimeSpan.FromSeconds(10), false, default);
        status = "passing";
        otherLease = second.LeaseId + 1;
        Assert.Null(await store.KeepAliveAsync(second.LeaseId, default));

        Assert.DoesNotContain(consul.Requests, r => r.Path.StartsWith("/v1/agent/check/pass/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_keep_alive_for_a_lease_this_store_did_not_grant_finds_its_holder_among_the_agent_services()
    {
        var consul = new ConsulRecordingHandler
        {
            Answer = (r, _) => Task.FromResult(r.Path switch
            {
                "/v1/agent/services" => ConsulRecordingHandler.Json("""
                    {
                      "redis": { "ID": "redis", "Service": "redis", "Tags": [], "Meta": { "redis_version": "4.0" }, "Port": 8000, "Address": "" },
                      "lab/w": { "ID": "lab/w", "Service": "remotemodel", "Tags": ["kind:model"], "Meta": { "rm-kind": "model", "rm-lease": "777", "rm-ttl-ms": "2500" }, "Port": 0, "Address": "" }
                    }
                    """),
                "/v1/agent/health/service/id/lab%2Fw" => ConsulRecordingHandler.Json(LocalHealth("lab/w", 777, "passing", ttlMs: 2500)),
                _ => new HttpResponseMessage(HttpStatusCode.OK),
            }),
        };
        await using var store = Store(consul);

        Assert.Equal(TimeSpan.FromMilliseconds(2500), await store.KeepAliveAsync(777, default));
        Assert.Null(await store.KeepAliveAsync(778, default));

        Assert.Equal(
            ["GET /v1/agent/services", "GET /v1/agent/health/service/id/lab%2Fw?format=json", "PUT /v1/agent/check/pass/service%3Alab%2Fw", "GET /v1/agent/services"],
            consul.Requests.Select(r => r.ToString()));
    }

    [Fact]
    public async Task Remove_deregisters_by_escaped_id_and_unregister_only_while_the_lease_holds()
    {
        var consul = new ConsulRecordingHandler();
        consul.Answer = (r, _) => Task.FromResult(r.Path switch
        {
            "/v1/health/service/remotemodel" => ConsulRecordingHandler.Json("[]", 5),
            "/v1/agent/health/service/id/lab%2Fa" => ConsulRecordingHandler.Json(LocalHealth("lab/a", LeaseIn(consul), "passing")),
            "/v1/agent/health/service/id/lab%2Fgone" => ConsulRecordingHandler.Json("""{"AggregatedStatus":"critical","Service":null,"Checks":null}""", status: HttpStatusCode.NotFound),
            _ => new HttpResponseMessage(HttpStatusCode.OK),
        });
        await using var store = Store(consul);
        var stored = await store.RegisterAsync(new Registration { Name = "lab/a", Kind = "model" }, TimeSpan.FromSeconds(10), false, default);

        Assert.True(await store.UnregisterAsync(stored.LeaseId, default));
        Assert.True(await store.RemoveAsync("lab/a", default));
        Assert.False(await store.RemoveAsync("lab/gone", default));

        var deregisters = consul.Requests.Where(r => r.Path.StartsWith("/v1/agent/service/deregister/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, deregisters.Count);
        Assert.All(deregisters, r =>
        {
            Assert.Equal(HttpMethod.Put, r.Method);
            Assert.Equal("/v1/agent/service/deregister/lab%2Fa", r.Path);
        });
    }

    [Fact]
    public async Task A_403_says_the_acl_token_was_refused_and_never_shows_the_token()
    {
        var consul = new ConsulRecordingHandler
        {
            Answer = (_, _) => Task.FromResult(ConsulRecordingHandler.Text(HttpStatusCode.Forbidden, $"ACL not found: {Token}")),
        };
        await using var store = Store(consul);

        var error = await Assert.ThrowsAsync<RegistryUnavailableException>(() => store.ListAsync("", default));

        Assert.Contains("refused the ACL token", error.Message);
        Assert.Contains("http://127.0.0.1:8500", error.Message);
        Assert.DoesNotContain(Token, error.Message);
        Assert.DoesNotContain("secret", error.Message);
    }

    [Fact]
    public async Task A_403_without_a_token_says_none_is_configured()
    {
        var consul = new ConsulRecordingHandler { Answer = (_, _) => Task.FromResult(ConsulRecordingHandler.Text(HttpStatusCode.Forbidden, "Permission denied")) };
        await using var store = Store(consul, token: null);

        var error = await Assert.ThrowsAsync<RegistryUnavailableException>(
            () => store.RegisterAsync(new Registration { Name = "x" }, null, false, default));

        Assert.Contains("no ACL token is configured", error.Message);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task A_server_error_is_unavailability_naming_the_address(HttpStatusCode status)
    {
        var consul = new ConsulRecordingHandler { Answer = (_, _) => Task.FromResult(ConsulRecordingHandler.Text(status, "No cluster leader")) };
        await using var store = Store(consul);

        var error = await Assert.ThrowsAsync<RegistryUnavailableException>(() => store.GetAsync("x", default));

        Assert.Contains("Consul at http://127.0.0.1:8500", error.Message);
        Assert.Contains("No cluster leader", error.Message);
        Assert.DoesNotContain(Token, error.Message);
    }

    [Fact]
    public async Task An_unreachable_agent_is_unavailability_naming_the_address_not_the_token()
    {
        var consul = new ConsulRecordingHandler { Answer = (_, _) => throw new HttpRequestException("Connection refused (127.0.0.1:8500)") };
        await using var store = Store(consul);

        var error = await Assert.ThrowsAsync<RegistryUnavailableException>(() => store.ListAsync("", default));

        Assert.Contains("Consul at http://127.0.0.1:8500 cannot be reached", error.Message);
        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.DoesNotContain(Token, error.Message);
    }

    [Fact]
    public async Task An_agent_that_does_not_answer_in_time_is_unavailability()
    {
        var consul = new ConsulRecordingHandler
        {
            Answer = async (_, cancellationToken) =>
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                throw new InvalidOperationException("unreachable");
            },
        };
        await using var store = new ConsulRegistryStore(new ConsulRegistryOptions { RequestTimeout = TimeSpan.FromMilliseconds(200) }, consul);

        var error = await Assert.ThrowsAsync<RegistryUnavailableException>(() => store.ListAsync("", default));

        Assert.Contains("did not answer", error.Message);
    }

    public static TheoryData<string, Action<Registration>> OverConsulLimits => new()
    {
        { "1 to 128", r => r.Metadata.Add(new string('k', 129), "v") },
        { "A-Z, a-z, 0-9, '_' and '-'", r => r.Metadata.Add("room.number", "v") },
        { "at most 512", r => r.Metadata.Add("room", new string('v', 513)) },
        { "at most 512", r => r.Metadata.Add("room", new string('é', 257)) },
        { "at most 512", r => r.Endpoints.Add("http://" + new string('h', 510) + ":1") },
        { "Consul allows 64", r => { for (var i = 0; i < 62; i++) { r.Metadata.Add($"k{i}", "v"); } } },
        { "kept by Consul", r => r.Metadata.Add("consul-network-segment", "v") },
        { "kept by this store", r => r.Metadata.Add("rm-kind", "v") },
        { "'..' segment", r => r.Name = "lab/../x" },
        { "empty", r => r.Name = "lab//x" },
    };

    [Theory]
    [MemberData(nameof(OverConsulLimits))]
    public async Task A_registration_over_consul_limits_is_refused_before_any_request(string limit, Action<Registration> spoil)
    {
        var consul = new ConsulRecordingHandler();
        await using var store = Store(consul);
        var registration = new Registration { Name = "lab/x", Kind = "model", Endpoints = { "http://10.0.0.1:1" } };
        spoil(registration);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.RegisterAsync(registration, TimeSpan.FromSeconds(10), safe: true, default));

        Assert.Contains(limit, error.Message);
        Assert.Empty(consul.Requests);
    }

    [Fact]
    public async Task Sixty_four_metadata_pairs_with_the_reserved_ones_are_accepted()
    {
        var consul = new ConsulRecordingHandler { Answer = (r, _) => Task.FromResult(AnswerEmpty(r)) };
        await using var store = Store(consul);
        // Reserved: kind, registered-at, one endpoint, lease, TTL.
        var registration = new Registration { Name = "lab/x", Kind = "model", Endpoints = { "http://10.0.0.1:1" } };
        for (var i = 0; i < 59; i++)
        {
            registration.Metadata.Add($"k{i}", "v");
        }

        await store.RegisterAsync(registration, TimeSpan.FromSeconds(10), safe: false, default);

        using var body = JsonDocument.Parse(consul.Requests[0].Body!);
        Assert.Equal(64, body.RootElement.GetProperty("Meta").EnumerateObject().Count());
    }

    [Theory]
    [InlineData(30_000, "30s")]
    [InlineData(60_000, "1m0s")]
    [InlineData(90 * 60_000, "1h30m0s")]
    [InlineData(1_500, "1.5s")]
    [InlineData(2_050, "2.05s")]
    [InlineData(250, "250ms")]
    [InlineData(3_600_000, "1h0m0s")]
    public void Durations_are_written_as_go_durations(int milliseconds, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void Options_refuse_what_consul_would_not_honour_and_never_print_the_token()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConsulRegistryStore(
            new ConsulRegistryOptions { DeregisterCriticalServiceAfter = TimeSpan.FromSeconds(30) }, new ConsulRecordingHandler()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConsulRegistryStore(
            new ConsulRegistryOptions { WatchWait = TimeSpan.FromMinutes(11) }, new ConsulRecordingHandler()));
        Assert.Throws<ArgumentException>(() => new ConsulRegistryStore(
            new ConsulRegistryOptions { Address = new Uri("http://127.0.0.1:8500/v1/") }, new ConsulRecordingHandler()));

        var options = new ConsulRegistryOptions { Token = Token };
        Assert.DoesNotContain(Token, options.ToString());
        Assert.Contains("ACL token set", options.ToString());
    }

    private static ConsulRegistryStore Store(ConsulRecordingHandler consul, string? token = Token, TimeSpan? watchWait = null) =>
        new(new ConsulRegistryOptions { Token = token, WatchWait = watchWait ?? TimeSpan.FromSeconds(30), WatchMinPollInterval = TimeSpan.Zero }, consul);

    /// <summary>200 for writes; an empty health answer at index 5 for reads.</summary>
    private static HttpResponseMessage AnswerEmpty(ConsulRecordedRequest request) =>
        request.Method == HttpMethod.Get ? ConsulRecordingHandler.Json("[]", 5) : new HttpResponseMessage(HttpStatusCode.OK);

    /// <summary>The lease the last registration recorded by <paramref name="consul"/> carries.</summary>
    private static long LeaseIn(ConsulRecordingHandler consul)
    {
        var register = consul.Requests.Last(r => r.Path == "/v1/agent/service/register");
        using var body = JsonDocument.Parse(register.Body!);
        return long.Parse(body.RootElement.GetProperty("Meta").GetProperty("rm-lease").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>An /v1/agent/health/service/id answer as documented: AggregatedStatus, Service, Checks.</summary>
    private static string LocalHealth(string id, long lease, string status, int ttlMs = 10_000) => $$"""
        {
          "AggregatedStatus": "{{status}}",
          "Service": {
            "ID": "{{id}}",
            "Service": "remotemodel",
            "Tags": ["kind:model"],
            "Meta": { "rm-kind": "model", "rm-lease": "{{lease}}", "rm-ttl-ms": "{{ttlMs}}" },
            "Port": 0,
            "Address": "",
            "SocketPath": "",
            "Weights": { "Passing": 1, "Warning": 1 },
            "EnableTagOverride": false,
            "Datacenter": "dc1"
          },
          "Checks": [
            {
              "Node": "server1",
              "CheckID": "service:{{id}}",
              "Name": "RemoteModel lease",
              "Status": "{{status}}",
              "Notes": "",
              "Output": "",
              "ServiceID": "{{id}}",
              "ServiceName": "remotemodel",
              "ServiceTags": ["kind:model"],
              "Type": "ttl",
              "Namespace": "default"
            }
          ]
        }
        """;

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(10);
        }
    }
}
