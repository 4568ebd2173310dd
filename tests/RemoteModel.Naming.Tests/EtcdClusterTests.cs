using RemoteModel.Naming.Client;
using RemoteModel.Naming.Etcd;
using RemoteModel.Naming.Registry;
using RemoteModel.Naming.V1;
using RemoteModel.Testing;
using Xunit.Abstractions;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.Naming.Tests;

/// <summary>The etcd store over a real three-member cluster on loopback: member loss, and name servers sharing one registry.</summary>
[RequiresPeers(Peer.Etcd)]
public sealed class EtcdClusterTests(ITestOutputHelper output)
{
    private const string KeyPrefix = "/remotemodel/registry/";

    private static Registration Make(string name, string endpoint = "http://127.0.0.1:5001") =>
        new() { Name = name, Kind = "model", Endpoints = { endpoint } };

    private EtcdRegistryStore StoreOn(params EtcdMember[] members) =>
        new(new EtcdRegistryOptions { Endpoints = [.. members.Select(m => m.ClientUrl)], KeyPrefix = KeyPrefix },
            logger: new EtcdTestLog<EtcdRegistryStore>(output));

    [PeerFact]
    public async Task A_registration_survives_the_loss_of_the_member_the_store_talked_to()
    {
        await using var cluster = await EtcdCluster.StartAsync(3);
        // The leader first: losing it costs an election, the hardest case.
        var leader = await cluster.LeaderAsync();
        var members = cluster.Members.OrderBy(m => m == leader ? 0 : 1).ToArray();
        await using var store = StoreOn(members);
        var stored = await store.RegisterAsync(Make("lab/survivor"), TimeSpan.FromSeconds(10), safe: true, default);
        Assert.Equal(leader.ClientUrl, store.CurrentEndpoint);

        await leader.KillAsync();

        Assert.Equal(stored, await store.GetAsync(stored.Name, default));
        Assert.NotEqual(leader.ClientUrl, store.CurrentEndpoint);
        Assert.Equal(TimeSpan.FromSeconds(10), await store.KeepAliveAsync(stored.LeaseId, default));
        var changed = await store.RegisterAsync(Make("lab/survivor", "http://127.0.0.1:5002"), TimeSpan.FromSeconds(10), safe: false, default);
        Assert.True(changed.Revision > stored.Revision);
        Assert.True(await store.UnregisterAsync(changed.LeaseId, default));
        Assert.Null(await store.GetAsync(stored.Name, default));
    }

    [PeerFact]
    public async Task Two_name_servers_on_one_cluster_serve_one_registry()
    {
        await using var cluster = await EtcdCluster.StartAsync(3);
        var (m0, m1, m2) = (cluster.Members[0], cluster.Members[1], cluster.Members[2]);
        await using var first = StoreOn(m0, m1, m2);
        await using var second = StoreOn(m2, m1, m0);

        var start = (await second.ListAsync("lab/", default)).Revision;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var changes = new List<RegistryChange>();
        var watching = Task.Run(async () =>
        {
            await foreach (var change in second.WatchAsync("lab/", start, cts.Token))
            {
                changes.Add(change);
                if (changes.Count == 2)
                {
                    return;
                }
            }
        });

        var stored = await first.RegisterAsync(Make("lab/shared"), TimeSpan.FromSeconds(30), safe: true, default);
        Assert.Equal([stored], (await second.ListAsync("lab/", default)).Registrations);
        await Assert.ThrowsAsync<NameTakenException>(
            () => second.RegisterAsync(Make("lab/shared"), TimeSpan.FromSeconds(30), safe: true, default));
        Assert.Equal(TimeSpan.FromSeconds(30), await second.KeepAliveAsync(stored.LeaseId, default));
        Assert.True(await second.UnregisterAsync(stored.LeaseId, default));
        Assert.Null(await first.GetAsync(stored.Name, default));

        await watching.WaitAsync(cts.Token);
        Assert.Equal([RegistryChangeKind.Registered, RegistryChangeKind.Unregistered], changes.Select(c => c.Kind));
        Assert.Equal(stored, changes[0].Registration);
        Assert.Equal(stored.Revision, changes[0].Revision);
        Assert.Equal(stored.Name, changes[1].Registration.Name);
    }

    [PeerFact]
    public async Task Two_name_server_processes_over_one_cluster_serve_one_registry_and_survive_one_going()
    {
        await using var cluster = await EtcdCluster.StartAsync(3);
        var endpoints = cluster.Members.Select((m, i) => $"--Etcd:Endpoints:{i}={m.ClientUrl}").ToArray();
        await using var first = Executables.Start(Executables.NameServer, ["--listen", "http://127.0.0.1:0", "--store", "etcd", .. endpoints]);
        await using var second = Executables.Start(Executables.NameServer, ["--listen", "http://127.0.0.1:0", "--store", "etcd", .. endpoints]);
        var firstAddress = (await first.WaitForLineAsync("LISTENING", TimeSpan.FromSeconds(60))).Split(' ')[0];
        var secondAddress = (await second.WaitForLineAsync("LISTENING", TimeSpan.FromSeconds(60))).Split(' ')[0];
        using var firstChannel = TestKeyring.Channel(firstAddress);
        using var secondChannel = TestKeyring.Channel(secondAddress);
        var viaFirst = new NamingClient(firstChannel);
        var viaSecond = new NamingClient(secondChannel);

        var stored = await viaFirst.RegisterAsync(Make("lab/ha"), TimeSpan.FromSeconds(30));
        Assert.Equal(stored.LeaseId, (await viaSecond.LookupAsync("lab/ha")).LeaseId);

        // One name server goes; the other still serves the registration and renews its lease.
        first.Signal(Posix.SigTerm);
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(TimeSpan.FromSeconds(30), await viaSecond.KeepAliveAsync(stored.LeaseId));
        Assert.Equal("lab/ha", (await viaSecond.LookupAsync("lab/ha")).Name);
    }

    [PeerFact]
    public async Task A_watch_carries_on_from_another_member_when_its_member_is_lost()
    {
        await using var cluster = await EtcdCluster.StartAsync(3);
        var (m0, m1, m2) = (cluster.Members[0], cluster.Members[1], cluster.Members[2]);
        await using var writer = StoreOn(m0, m2);
        await using var watcher = StoreOn(m1, m2, m0);

        var start = (await watcher.ListAsync("lab/", default)).Revision;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<RegistryChange>();
        var firstSeen = new TaskCompletionSource();
        var watching = Task.Run(async () =>
        {
            await foreach (var change in watcher.WatchAsync("lab/", start, cts.Token))
            {
                seen.Add(change);
                firstSeen.TrySetResult();
                if (seen.Count == 3)
                {
                    return;
                }
            }
        });

        var before = await writer.RegisterAsync(Make("lab/before"), TimeSpan.FromSeconds(30), safe: false, default);
        await firstSeen.Task.WaitAsync(cts.Token);
        await m1.KillAsync();
        var after = await writer.RegisterAsync(Make("lab/after"), TimeSpan.FromSeconds(30), safe: false, default);
        var removed = await writer.RemoveAsync(before.Name, default);

        await watching.WaitAsync(cts.Token);
        Assert.True(removed);
        Assert.Equal(
            [(RegistryChangeKind.Registered, before.Name), (RegistryChangeKind.Registered, after.Name), (RegistryChangeKind.Unregistered, before.Name)],
            seen.Select(c => (c.Kind, c.Registration.Name)));
        Assert.NotEqual(m1.ClientUrl, watcher.CurrentEndpoint);
    }
}
