using Microsoft.Extensions.Time.Testing;
using RemoteModel.Naming.Consul;
using RemoteModel.Naming.Registry;
using RemoteModel.Naming.V1;
using RemoteModel.Testing;

namespace RemoteModel.Naming.Tests;

/// <summary>
/// The contract suite against <see cref="ConsulFakeAgent"/>, on a manual clock: proves the store's
/// own logic (leases, replacement, the watch history) everywhere. It proves nothing about Consul
/// itself; <see cref="ConsulStoreContractTests"/> does, where a consul binary exists.
/// </summary>
public sealed class ConsulFakeAgentContractTests : RegistryStoreContract
{
    private readonly FakeTimeProvider _clock = new();

    internal ConsulFakeAgent Agent { get; private set; } = null!;

    protected override Task<IRegistryStore> CreateStoreAsync()
    {
        Agent = new ConsulFakeAgent(_clock);
        return Task.FromResult<IRegistryStore>(NewStore());
    }

    protected override Task LetTimePassAsync(TimeSpan span)
    {
        _clock.Advance(span);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_second_store_on_the_same_agent_renews_and_ends_a_lease_it_did_not_grant()
    {
        var stored = await Store.RegisterAsync(Make("handed-over"), TimeSpan.FromSeconds(10), safe: false, default);
        await using var other = NewStore();

        Assert.Equal(TimeSpan.FromSeconds(10), await other.KeepAliveAsync(stored.LeaseId, default));
        Assert.True(await other.UnregisterAsync(stored.LeaseId, default));
        Assert.Null(await Store.GetAsync(stored.Name, default));
        Assert.Null(await Store.KeepAliveAsync(stored.LeaseId, default));
    }

    [Fact]
    public async Task An_expired_lease_is_not_revived_by_a_late_keep_alive()
    {
        var stored = await Store.RegisterAsync(Make("late"), TimeSpan.FromSeconds(10), safe: false, default);
        Agent.Expire(stored.Name);

        Assert.Null(await Store.KeepAliveAsync(stored.LeaseId, default));
        Assert.Null(await Store.GetAsync(stored.Name, default));
        Assert.DoesNotContain(Agent.Log, line => line.StartsWith("PUT /v1/agent/check/pass/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_expired_registration_frees_its_name_for_a_safe_registration()
    {
        var stored = await Store.RegisterAsync(Make("freed", "model", "http://old:1"), TimeSpan.FromSeconds(10), safe: true, default);
        Agent.Expire(stored.Name);

        var again = await Store.RegisterAsync(Make("freed", "model", "http://new:2"), TimeSpan.FromSeconds(10), safe: true, default);

        Assert.Equal(["http://new:2"], (await Store.GetAsync(again.Name, default))!.Endpoints);
        Assert.False(await Store.UnregisterAsync(stored.LeaseId, default));
        Assert.NotNull(await Store.GetAsync(again.Name, default));
    }

    [Fact]
    public async Task A_static_registration_replacing_a_leased_one_loses_its_ttl_check()
    {
        var leased = await Store.RegisterAsync(Make("settled"), ShortTtl, safe: false, default);
        var fixedOne = await Store.RegisterAsync(Make("settled"), ttl: null, safe: false, default);
        await LetTimePassAsync(ShortTtl * 3);

        var found = await Store.GetAsync(fixedOne.Name, default);
        Assert.NotNull(found);
        Assert.Equal(0, found.LeaseId);
        Assert.Null(await Store.KeepAliveAsync(leased.LeaseId, default));
    }

    [Fact]
    public async Task A_watch_from_another_store_revision_infers_what_changed_from_consul_indexes()
    {
        var kept = await Store.RegisterAsync(Make("kept"), TimeSpan.FromSeconds(30), safe: false, default);
        var moved = await Store.RegisterAsync(Make("moved", "model", "http://old:1"), TimeSpan.FromSeconds(30), safe: false, default);
        var after = moved.Revision;
        var moving = Make("moved", "model", "http://new:2");
        await Store.RegisterAsync(moving, TimeSpan.FromSeconds(30), safe: false, default);
        await Store.RegisterAsync(Make("new"), TimeSpan.FromSeconds(30), safe: false, default);

        // A fresh store has seen nothing: it infers the state at 'after' from CreateIndex/ModifyIndex.
        await using var other = NewStore();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var changes = new List<RegistryChange>();
        await foreach (var change in other.WatchAsync(Prefix, after, cts.Token))
        {
            changes.Add(change);
            if (changes.Count == 2)
            {
                break;
            }
        }

        Assert.Equal([(RegistryChangeKind.Changed, Prefix + "moved"), (RegistryChangeKind.Registered, Prefix + "new")],
            changes.Select(c => (c.Kind, c.Registration.Name)));
        Assert.Equal(["http://new:2"], changes[0].Registration.Endpoints);
        Assert.All(changes, c => Assert.True(c.Revision > after));
        Assert.True(kept.Revision < after);
    }

    [Fact]
    public async Task A_watch_that_falls_behind_the_history_ends_with_history_lost()
    {
        await using var small = new ConsulRegistryStore(
            new ConsulRegistryOptions { ServiceName = "remotemodel", HistoryCapacity = 2, WatchMinPollInterval = TimeSpan.Zero }, Agent, _clock);
        var start = (await small.ListAsync(Prefix, default)).Revision;
        // Guards the test: a watch that is never told it fell behind would wait forever.
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var watch = small.WatchAsync(Prefix, start, guard.Token).GetAsyncEnumerator();
        await small.RegisterAsync(Make("first"), TimeSpan.FromSeconds(30), safe: false, default);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(Prefix + "first", watch.Current.Registration.Name);

        // The watcher reads nothing while more changes pass than the history keeps.
        for (var i = 0; i < 4; i++)
        {
            await small.RegisterAsync(Make($"churn{i}"), TimeSpan.FromSeconds(30), safe: false, default);
        }

        await Assert.ThrowsAsync<RegistryHistoryLostException>(async () => await watch.MoveNextAsync());
    }

    [Fact]
    public async Task A_name_registered_through_another_agent_is_not_removed_through_this_one()
    {
        Agent.RegisterElsewhere(Prefix + "far", "remotemodel", "other-node");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Store.RemoveAsync(Prefix + "far", default));

        Assert.Contains("other-node", error.Message);
    }

    [Fact]
    public async Task The_acl_token_is_sent_to_an_agent_that_requires_it()
    {
        var guarded = new ConsulFakeAgent(_clock) { RequiredToken = "s3cret" };
        await using var withToken = new ConsulRegistryStore(new ConsulRegistryOptions { Token = "s3cret" }, guarded, _clock);
        await using var without = new ConsulRegistryStore(new ConsulRegistryOptions(), guarded, _clock);

        var stored = await withToken.RegisterAsync(Make("guarded"), TimeSpan.FromSeconds(10), safe: true, default);
        Assert.Equal(TimeSpan.FromSeconds(10), await withToken.KeepAliveAsync(stored.LeaseId, default));
        var refused = await Assert.ThrowsAsync<RegistryUnavailableException>(() => without.GetAsync(stored.Name, default));
        Assert.Contains("no ACL token is configured", refused.Message);
    }

    [Fact]
    public async Task Consul_before_1_10_answering_500_for_an_unknown_check_still_means_the_lease_is_gone()
    {
        var legacy = new ConsulFakeAgent(_clock) { LegacyPassErrors = true };
        await using var store = new ConsulRegistryStore(new ConsulRegistryOptions(), legacy, _clock);
        var stored = await store.RegisterAsync(Make("legacy"), TimeSpan.FromSeconds(10), safe: false, default);
        await store.RegisterAsync(Make("legacy"), ttl: null, safe: false, default);

        // The instance is static now: the old lease's holder check is gone.
        Assert.Null(await store.KeepAliveAsync(stored.LeaseId, default));
    }

    private ConsulRegistryStore NewStore() =>
        new(new ConsulRegistryOptions { WatchWait = TimeSpan.FromSeconds(30), WatchMinPollInterval = TimeSpan.Zero }, Agent, _clock);
}
