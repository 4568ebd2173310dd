using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RemoteModel.Naming.Etcd;
using RemoteModel.Naming.Registry;
using RemoteModel.Naming.V1;
using RemoteModel.Testing;

namespace RemoteModel.Naming.Tests;

/// <summary>What the etcd store does beyond the contract, against one real member.</summary>
[RequiresPeers(Peer.Etcd)]
public sealed class EtcdStoreTests(EtcdNodeFixture etcd) : IClassFixture<EtcdNodeFixture>
{
    private static Registration Make(string name) => new() { Name = name, Kind = "model", Endpoints = { "http://127.0.0.1:5001" } };

    [PeerFact]
    public async Task A_ttl_below_etcds_minimum_is_granted_as_the_minimum_and_reported_so()
    {
        await using var store = new EtcdRegistryStore(etcd.Options());
        var stored = await store.RegisterAsync(Make("lab/brief"), TimeSpan.FromMilliseconds(300), safe: false, default);
        Assert.Equal(TimeSpan.FromSeconds(2), stored.Ttl.ToTimeSpan());
        Assert.Equal(TimeSpan.FromSeconds(2), await store.KeepAliveAsync(stored.LeaseId, default));
    }

    [PeerFact]
    public async Task The_key_holds_the_registration_in_protobuf_under_the_key_prefix_and_lease()
    {
        var options = etcd.Options();
        await using var store = new EtcdRegistryStore(options);
        var stored = await store.RegisterAsync(Make("lab/raw"), TimeSpan.FromSeconds(30), safe: false, default);

        var key = Convert.ToBase64String(Encoding.UTF8.GetBytes(options.KeyPrefix + "lab/raw"));
        var answer = await etcd.Member.PostAsync("v3/kv/range", $$"""{"key":"{{key}}"}""");
        var kv = answer["kvs"]![0]!;
        var value = Registration.Parser.ParseFrom(Convert.FromBase64String(kv["value"]!.GetValue<string>()));

        Assert.Equal(stored.LeaseId.ToString(), kv["lease"]!.GetValue<string>());
        Assert.Equal(stored.Revision.ToString(), kv["mod_revision"]!.GetValue<string>());
        Assert.Equal("lab/raw", value.Name);
        Assert.Equal(0, value.LeaseId);
        Assert.Equal(0, value.Revision);
        Assert.Equal(stored.RegisteredAt, value.RegisteredAt);
        Assert.Equal(stored.Ttl, value.Ttl);
    }

    [PeerFact]
    public async Task Stores_with_other_key_prefixes_keep_apart_registries()
    {
        await using var one = new EtcdRegistryStore(etcd.Options());
        await using var other = new EtcdRegistryStore(etcd.Options());
        await one.RegisterAsync(Make("lab/x"), TimeSpan.FromSeconds(30), safe: false, default);

        Assert.Single((await one.ListAsync(string.Empty, default)).Registrations);
        Assert.Empty((await other.ListAsync(string.Empty, default)).Registrations);
        Assert.Null(await other.GetAsync("lab/x", default));
        await other.RegisterAsync(Make("lab/x"), TimeSpan.FromSeconds(30), safe: true, default);
    }

    [PeerFact]
    public async Task Removing_a_leased_registration_ends_its_lease()
    {
        await using var store = new EtcdRegistryStore(etcd.Options());
        var stored = await store.RegisterAsync(Make("lab/removed"), TimeSpan.FromSeconds(30), safe: false, default);
        Assert.True(await store.RemoveAsync(stored.Name, default));
        Assert.Null(await store.KeepAliveAsync(stored.LeaseId, default));
        Assert.False(await store.UnregisterAsync(stored.LeaseId, default));
    }

    [PeerFact]
    public async Task A_refused_safe_registration_gives_back_the_lease_it_was_granted()
    {
        await using var store = new EtcdRegistryStore(etcd.Options());
        await store.RegisterAsync(Make("lab/held"), TimeSpan.FromSeconds(30), safe: true, default);
        var leasesBefore = await LeasesAsync();
        await Assert.ThrowsAsync<NameTakenException>(
            () => store.RegisterAsync(Make("lab/held"), TimeSpan.FromSeconds(30), safe: true, default));
        Assert.Subset(leasesBefore, await LeasesAsync());
    }

    [PeerFact]
    public async Task A_watch_from_a_compacted_revision_has_lost_its_history()
    {
        await using var store = new EtcdRegistryStore(etcd.Options());
        var first = await store.RegisterAsync(Make("lab/a"), TimeSpan.FromSeconds(30), safe: false, default);
        var second = await store.RegisterAsync(Make("lab/b"), TimeSpan.FromSeconds(30), safe: false, default);
        await etcd.Member.PostAsync("v3/kv/compaction", $$"""{"revision":"{{second.Revision}}"}""");

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var error = await Assert.ThrowsAsync<RegistryHistoryLostException>(async () =>
        {
            await foreach (var _ in store.WatchAsync("lab/", first.Revision - 1, cts.Token))
            {
            }
        });
        Assert.Contains($"compacted its history up to revision {second.Revision}", error.Message);

        // From the compaction on, the history is there.
        await foreach (var change in store.WatchAsync("lab/", second.Revision - 1, cts.Token))
        {
            Assert.Equal(second.Name, change.Registration.Name);
            break;
        }
    }

    [PeerFact]
    public async Task A_cancelled_watch_stops_at_once()
    {
        await using var store = new EtcdRegistryStore(etcd.Options());
        var start = (await store.ListAsync(string.Empty, default)).Revision;
        using var cts = new CancellationTokenSource();
        var watching = Task.Run(async () =>
        {
            await foreach (var _ in store.WatchAsync(string.Empty, start, cts.Token))
            {
            }
        });
        await Task.Delay(300);
        var stopwatch = Stopwatch.StartNew();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"The watch took {stopwatch.Elapsed} to stop.");
    }

    [Fact]
    public async Task Etcd_out_of_reach_is_unavailable_with_the_endpoint_named()
    {
        var port = ClosedLoopbackPort();
        await using var store = new EtcdRegistryStore(new EtcdRegistryOptions
        {
            Endpoints = [new Uri($"http://127.0.0.1:{port}")],
            FailoverTimeout = TimeSpan.FromMilliseconds(300),
        });
        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RegistryUnavailableException>(() => store.GetAsync("lab/x", default));
        Assert.Contains($"127.0.0.1:{port}", error.Message);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"Giving up took {stopwatch.Elapsed}.");
        await Assert.ThrowsAsync<RegistryUnavailableException>(async () =>
        {
            await foreach (var _ in store.WatchAsync("lab/", 0, default))
            {
            }
        });
    }

    [Fact]
    public void Options_that_cannot_work_are_refused_by_name()
    {
        Assert.Contains("ftp://x", Assert.Throws<ArgumentException>(
            () => new EtcdRegistryStore(new EtcdRegistryOptions { Endpoints = [new Uri("ftp://x")] })).Message);
        Assert.Equal("RequestTimeout", Assert.Throws<ArgumentOutOfRangeException>(
            () => new EtcdRegistryStore(new EtcdRegistryOptions { RequestTimeout = TimeSpan.Zero })).ParamName);
    }

    /// <summary>The leases etcd holds now.</summary>
    private async Task<HashSet<string>> LeasesAsync() =>
        [.. ((await etcd.Member.PostAsync("v3/lease/leases", "{}"))["leases"]?.AsArray() ?? []).Select(l => l!["ID"]!.GetValue<string>())];

    private static int ClosedLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
