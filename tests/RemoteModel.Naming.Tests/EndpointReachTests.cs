using System.Net;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RemoteModel.Grpc;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.Embedded;
using RemoteModel.Naming.Server;
using RemoteModel.Naming.V1;
using RemoteModel.Testing;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.Naming.Tests;

/// <summary>
/// The name server and what other hosts can reach: wildcard endpoints refused, loopback-only
/// registrations from another host logged, host-local endpoints left out of what a caller on
/// another host is given. One host here, so which peers count as another host is the service's
/// seam (<see cref="NamingService.IsOtherHost"/>); the calls are real, on loopback.
/// </summary>
public sealed class EndpointReachTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new();
    private readonly LogCapture _log = new();
    private EmbeddedRegistryStore _store = null!;
    private ServedNamingService _served = null!;
    private NamingClient _client = null!;

    /// <summary>Whether the test's client counts as on another host.</summary>
    private bool _callerElsewhere;

    public async Task InitializeAsync()
    {
        _store = new EmbeddedRegistryStore(timeProvider: _clock);
        var service = new NamingService(_store, timeProvider: _clock, logger: new Logger<NamingService>(_log)) { IsOtherHost = _ => _callerElsewhere };
        _served = await ServedNamingService.StartAsync(service);
        _client = _served.Client;
    }

    public async Task DisposeAsync()
    {
        await _served.DisposeAsync();
        await _store.DisposeAsync();
    }

    private static Registration Model(string name, params string[] endpoints) => new() { Name = name, Kind = "model", Endpoints = { endpoints } };

    [Theory]
    [InlineData("http://0.0.0.0:9191", "a wildcard listen address")]
    [InlineData("http://[::]:9191", "a wildcard listen address")]
    [InlineData("https://0.0.0.0:9191", "a wildcard listen address")]
    [InlineData("http://192.0.2.10:0", "on port 0")]
    public async Task A_registration_with_an_endpoint_nobody_can_connect_to_is_refused_saying_which_and_what_to_do(string endpoint, string why)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.RegisterAsync(Model("lab/wild", "http://192.0.2.10:9191", endpoint)));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains($"Endpoint '{endpoint}' of 'lab/wild' is {why}", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("--advertise URL", error.Status.Detail, StringComparison.Ordinal);

        // Nothing half-applied: the name is not registered.
        var lookup = await Assert.ThrowsAsync<RpcException>(() => _client.LookupAsync("lab/wild"));
        Assert.Equal(StatusCode.NotFound, lookup.StatusCode);
    }

    [Fact]
    public async Task A_registration_from_another_host_with_only_loopback_endpoints_is_kept_and_logged_as_a_warning()
    {
        _callerElsewhere = true;
        await _client.RegisterAsync(Model("lab/local-only", "http://127.0.0.1:9191", "unix:/run/lab.sock"));
        var warning = Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Equal("lab/local-only", warning.Properties["Name"]);
        Assert.Equal("http://127.0.0.1:9191 unix:/run/lab.sock", warning.Properties["Endpoints"]);
        Assert.StartsWith("ipv4:127.0.0.1:", (string)warning.Properties["Peer"]!, StringComparison.Ordinal);
        Assert.Contains("--advertise URL", warning.Message, StringComparison.Ordinal);
        Assert.Equal(["http://127.0.0.1:9191", "unix:/run/lab.sock"], (await _client.LookupAsync("lab/local-only")).Endpoints);
    }

    [Fact]
    public async Task The_same_registration_from_this_host_or_with_one_reachable_endpoint_is_not_logged()
    {
        await _client.RegisterAsync(Model("lab/here", "http://127.0.0.1:9191"));
        _callerElsewhere = true;
        await _client.RegisterAsync(Model("lab/mixed", "http://127.0.0.1:9192", "http://192.0.2.10:9192"));
        Assert.DoesNotContain(_log.Entries, e => e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task A_caller_on_another_host_is_not_given_endpoints_that_only_work_on_the_registrants_host()
    {
        await _client.RegisterAsync(Model("lab/mixed", "unix:/run/lab.sock", "http://127.0.0.1:9191", "http://192.0.2.10:9191"));
        await _client.RegisterAsync(Model("lab/only-local", "http://127.0.0.1:9192"));
        Assert.Equal(3, (await _client.LookupAsync("lab/mixed")).Endpoints.Count);

        _callerElsewhere = true;
        Assert.Equal(["http://192.0.2.10:9191"], (await _client.LookupAsync("lab/mixed")).Endpoints);
        var listed = await _client.ListAsync(new ListRequest { Selector = new Selector { Prefix = "lab/" } });
        Assert.Equal(["http://192.0.2.10:9191"], listed.Registrations.Single(r => r.Name == "lab/mixed").Endpoints);

        // With nothing else to give, what there is is given (and was warned about when registered).
        Assert.Equal(["http://127.0.0.1:9192"], listed.Registrations.Single(r => r.Name == "lab/only-local").Endpoints);

        using var watch = _client.Watch(new WatchRequest { Selector = new Selector { Prefix = "lab/" } });
        var snapshot = new List<WatchEvent>();
        await foreach (var change in watch.ResponseStream.ReadAllAsync())
        {
            if (change.Type == WatchEvent.Types.Type.SnapshotEnd)
            {
                break;
            }

            snapshot.Add(change);
        }

        Assert.Equal(["http://192.0.2.10:9191"], snapshot.Single(e => e.Registration.Name == "lab/mixed").Registration.Endpoints);
    }

    [Theory]
    [InlineData("ipv4:192.0.2.7:50312", "192.0.2.7")]
    [InlineData("ipv6:[fd00::7]:50312", "fd00::7")]
    [InlineData("ipv6:[::ffff:192.0.2.7]:50312", "192.0.2.7")]
    [InlineData("unix:/run/x.sock", null)]
    [InlineData("garbage", null)]
    public void A_peer_is_read_as_grpc_dotnet_writes_it(string peer, string? address) =>
        Assert.Equal(address is null ? null : IPAddress.Parse(address), HostAddresses.OfPeer(peer));

    [Fact]
    public void A_peer_is_on_another_host_unless_loopback_or_one_of_this_hosts_addresses()
    {
        IPAddress[] thisHost = [IPAddress.Parse("192.0.2.2")];
        var asked = 0;
        IReadOnlyCollection<IPAddress> ThisHost()
        {
            asked++;
            return thisHost;
        }

        Assert.True(HostAddresses.IsOtherHost("ipv4:192.0.2.3:1", ThisHost));
        Assert.False(HostAddresses.IsOtherHost("ipv4:192.0.2.2:1", ThisHost));
        Assert.False(HostAddresses.IsOtherHost("ipv4:127.0.0.5:1", ThisHost));
        Assert.False(HostAddresses.IsOtherHost("ipv6:[::1]:1", ThisHost));
        Assert.False(HostAddresses.IsOtherHost("unix:/run/x.sock", ThisHost));
        Assert.Equal(2, asked); // loopback and Unix socket peers need no list of this host's addresses
    }

    [Fact]
    public void This_hosts_addresses_are_read_again_only_once_the_interval_has_passed()
    {
        var clock = new FakeTimeProvider();
        var readings = 0;
        var addresses = new ThisHostAddresses(clock, () => [IPAddress.Parse(++readings == 1 ? "192.0.2.2" : "192.0.2.9")]);

        Assert.False(addresses.IsOtherHost("ipv4:127.0.0.1:1"));
        Assert.Equal(0, readings);
        Assert.False(addresses.IsOtherHost("ipv4:192.0.2.2:1"));
        Assert.True(addresses.IsOtherHost("ipv4:192.0.2.9:1"));
        Assert.Equal(1, readings);

        clock.Advance(ThisHostAddresses.RefreshInterval);
        Assert.False(addresses.IsOtherHost("ipv4:192.0.2.9:1")); // the host's address changed, and is seen
        Assert.True(addresses.IsOtherHost("ipv4:192.0.2.2:1"));
        Assert.Equal(2, readings);
    }
}
