using Google.Protobuf.WellKnownTypes;
using RemoteModel.Naming.Registry;
using RemoteModel.Naming.V1;
using RemoteModel.Testing;

namespace RemoteModel.Naming.Tests;

/// <summary>
/// What every registry store must do, written once and run against each (embedded, etcd, Consul).
/// Each test works under its own prefix, so one engine can serve every test.
/// </summary>
public abstract class RegistryStoreContract : IAsyncLifetime
{
    protected IRegistryStore Store { get; private set; } = null!;

    /// <summary>A prefix no other test uses.</summary>
    protected string Prefix { get; } = $"contract-{Guid.NewGuid():N}/";

    /// <summary>A TTL the engine honours (etcd refuses less than 2 s).</summary>
    protected virtual TimeSpan ShortTtl => TimeSpan.FromSeconds(2);

    protected abstract Task<IRegistryStore> CreateStoreAsync();

    /// <summary>Lets <paramref name="span"/> pass for the store: a manual clock jumps, a real engine is waited for.</summary>
    protected abstract Task LetTimePassAsync(TimeSpan span);

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public virtual async Task DisposeAsync() => await Store.DisposeAsync();

    protected Registration Make(string name, string kind = "model", params string[] endpoints) => new()
    {
        Name = Prefix + name,
        Kind = kind,
        Endpoints = { endpoints.Length == 0 ? ["http://127.0.0.1:5001"] : endpoints },
    };

    [PeerFact]
    public async Task A_registration_is_stored_whole_with_lease_revision_and_time()
    {
        var registration = Make("stage/x", "model", "http://10.0.0.1:5001", "unix:/run/x.sock");
        registration.Metadata.Add("room", "B12");
        registration.Tags.Add("motor");

        var stored = await Store.RegisterAsync(registration, TimeSpan.FromSeconds(30), safe: false, default);
        var found = await Store.GetAsync(registration.Name, default);

        Assert.NotNull(found);
        Assert.NotEqual(0, stored.LeaseId);
        Assert.True(stored.Revision > 0);
        Assert.Equal(30, stored.Ttl.Seconds);
        Assert.NotNull(stored.RegisteredAt);
        Assert.Equal(stored, found);
        Assert.Equal(["http://10.0.0.1:5001", "unix:/run/x.sock"], found.Endpoints);
        Assert.Equal("B12", found.Metadata["room"]);
        Assert.Equal(["motor"], found.Tags);
    }

    [PeerFact]
    public async Task A_static_registration_has_no_lease_and_outlives_any_ttl()
    {
        var stored = await Store.RegisterAsync(Make("static"), ttl: null, safe: false, default);
        Assert.Equal(0, stored.LeaseId);
        await LetTimePassAsync(ShortTtl + TimeSpan.FromSeconds(1));
        Assert.NotNull(await Store.GetAsync(stored.Name, default));
    }

    [PeerFact]
    public async Task A_lease_not_renewed_is_gone_at_its_ttl()
    {
        var stored = await Store.RegisterAsync(Make("short"), ShortTtl, safe: false, default);
        await LetTimePassAsync(ShortTtl + TimeSpan.FromSeconds(1.5));
        Assert.Null(await Store.GetAsync(stored.Name, default));
        Assert.Null(await Store.KeepAliveAsync(stored.LeaseId, default));
    }

    [PeerFact]
    public async Task Keep_alives_within_the_ttl_keep_a_registration()
    {
        var stored = await Store.RegisterAsync(Make("kept"), ShortTtl, safe: false, default);
        for (var i = 0; i < 3; i++)
        {
            await LetTimePassAsync(ShortTtl / 2);
            Assert.Equal(ShortTtl, await Store.KeepAliveAsync(stored.LeaseId, default));
        }

        Assert.NotNull(await Store.GetAsync(stored.Name, default));
    }

    [PeerFact]
    public async Task A_keep_alive_for_an_unknown_lease_answers_null()
    {
        Assert.Null(await Store.KeepAliveAsync(987_654_321, default));
    }

    [PeerFact]
    public async Task Unregister_ends_a_registration_once()
    {
        var stored = await Store.RegisterAsync(Make("once"), TimeSpan.FromSeconds(30), safe: false, default);
        Assert.True(await Store.UnregisterAsync(stored.LeaseId, default));
        Assert.Null(await Store.GetAsync(stored.Name, default));
        Assert.False(await Store.UnregisterAsync(stored.LeaseId, default));
    }

    [PeerFact]
    public async Task Remove_by_name_ends_leased_and_static_registrations()
    {
        var leased = await Store.RegisterAsync(Make("leased"), TimeSpan.FromSeconds(30), safe: false, default);
        var fixedOne = await Store.RegisterAsync(Make("fixed"), ttl: null, safe: false, default);
        Assert.True(await Store.RemoveAsync(leased.Name, default));
        Assert.True(await Store.RemoveAsync(fixedOne.Name, default));
        Assert.False(await Store.RemoveAsync(fixedOne.Name, default));
        Assert.Empty((await Store.ListAsync(Prefix, default)).Registrations);
    }

    [PeerFact]
    public async Task A_safe_registration_refuses_a_taken_name_and_changes_nothing()
    {
        var first = await Store.RegisterAsync(Make("taken", "model", "http://first:1"), TimeSpan.FromSeconds(30), safe: true, default);
        var error = await Assert.ThrowsAsync<NameTakenException>(
            () => Store.RegisterAsync(Make("taken", "model", "http://second:2"), TimeSpan.FromSeconds(30), safe: true, default));
        Assert.Equal(first.Name, error.Name);
        Assert.Equal(["http://first:1"], (await Store.GetAsync(first.Name, default))!.Endpoints);
    }

    [PeerFact]
    public async Task A_replaced_registration_survives_the_end_of_the_lease_it_replaced()
    {
        var old = await Store.RegisterAsync(Make("moved", "model", "http://old:1"), TimeSpan.FromSeconds(30), safe: false, default);
        var replacement = await Store.RegisterAsync(Make("moved", "model", "http://new:2"), TimeSpan.FromSeconds(30), safe: false, default);
        await Store.UnregisterAsync(old.LeaseId, default);
        var found = await Store.GetAsync(old.Name, default);
        Assert.NotNull(found);
        Assert.Equal(["http://new:2"], found.Endpoints);
        Assert.Equal(replacement.LeaseId, found.LeaseId);
    }

    [PeerFact]
    public async Task List_by_prefix_is_ordered_by_name_and_leaves_out_other_prefixes()
    {
        foreach (var name in new[] { "lab/c", "lab/a", "other/x", "lab/b" })
        {
            await Store.RegisterAsync(Make(name), TimeSpan.FromSeconds(30), safe: false, default);
        }

        var snapshot = await Store.ListAsync(Prefix + "lab/", default);
        Assert.Equal(["lab/a", "lab/b", "lab/c"], snapshot.Registrations.Select(r => r.Name[Prefix.Length..]));
        Assert.True(snapshot.Revision >= snapshot.Registrations.Max(r => r.Revision));
    }

    [PeerFact]
    public async Task A_watch_tells_every_change_after_its_revision_in_order()
    {
        var start = (await Store.ListAsync(Prefix, default)).Revision;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var changes = new List<RegistryChange>();
        var watching = Task.Run(async () =>
        {
            await foreach (var change in Store.WatchAsync(Prefix, start, cts.Token))
            {
                changes.Add(change);
                if (changes.Count == 3)
                {
                    return;
                }
            }
        });

        var first = await Store.RegisterAsync(Make("w"), TimeSpan.FromSeconds(30), safe: false, default);
        var changed = Make("w");
        changed.Metadata.Add("state", "moving");
        await Store.RegisterAsync(changed, TimeSpan.FromSeconds(30), safe: false, default);
        var outside = await Store.RegisterAsync(
            new Registration { Name = "outside-" + Prefix + "w", Kind = "model" }, TimeSpan.FromSeconds(30), safe: false, default);
        await Store.RemoveAsync(first.Name, default);
        await watching.WaitAsync(cts.Token);
        await Store.RemoveAsync(outside.Name, default);

        Assert.Equal([RegistryChangeKind.Registered, RegistryChangeKind.Changed, RegistryChangeKind.Unregistered], changes.Select(c => c.Kind));
        Assert.All(changes, c => Assert.Equal(first.Name, c.Registration.Name));
        Assert.Equal("moving", changes[1].Registration.Metadata["state"]);
        Assert.True(changes.Select(c => c.Revision).SequenceEqual(changes.Select(c => c.Revision).Order()));
        Assert.True(changes[0].Revision > start);
    }

    [PeerFact]
    public async Task A_watch_replays_changes_made_between_a_snapshot_and_its_start()
    {
        var start = (await Store.ListAsync(Prefix, default)).Revision;
        await Store.RegisterAsync(Make("early"), TimeSpan.FromSeconds(30), safe: false, default);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var change in Store.WatchAsync(Prefix, start, cts.Token))
        {
            Assert.Equal(RegistryChangeKind.Registered, change.Kind);
            Assert.Equal(Prefix + "early", change.Registration.Name);
            break;
        }
    }

    [PeerFact]
    public async Task A_watch_tells_an_expired_lease_as_unregistered()
    {
        var stored = await Store.RegisterAsync(Make("expiring"), ShortTtl, safe: false, default);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var watching = Task.Run(async () =>
        {
            await foreach (var change in Store.WatchAsync(Prefix, stored.Revision, cts.Token))
            {
                return change;
            }

            return null;
        });
        await LetTimePassAsync(ShortTtl + TimeSpan.FromSeconds(1.5));
        var unregistered = await watching.WaitAsync(cts.Token);
        Assert.Equal(RegistryChangeKind.Unregistered, unregistered?.Kind);
        Assert.Equal(stored.Name, unregistered?.Registration.Name);
    }
}
