using Microsoft.Extensions.Time.Testing;
using RemoteModel.Naming.Embedded;
using RemoteModel.Naming.Registry;
using RemoteModel.Naming.V1;
using RemoteModel.Testing;

namespace RemoteModel.Naming.Tests;

/// <summary>The contract suite against the embedded store, on a manual clock: no sleeps.</summary>
public sealed class EmbeddedStoreContractTests : RegistryStoreContract
{
    private readonly FakeTimeProvider _clock = new();

    protected override Task<IRegistryStore> CreateStoreAsync() =>
        Task.FromResult<IRegistryStore>(new EmbeddedRegistryStore(timeProvider: _clock));

    protected override Task LetTimePassAsync(TimeSpan span)
    {
        _clock.Advance(span);
        return Task.CompletedTask;
    }
}

public sealed class EmbeddedStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rm-registry-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Static_registrations_survive_a_restart_and_leased_ones_do_not()
    {
        var options = new EmbeddedRegistryOptions { PersistencePath = Path.Combine(_directory, "registry.json") };
        await using (var store = new EmbeddedRegistryStore(options))
        {
            await store.RegisterAsync(new Registration { Name = "lab/fixed", Kind = "model", Endpoints = { "http://a:1" } }, null, false, default);
            await store.RegisterAsync(new Registration { Name = "lab/leased", Kind = "model" }, TimeSpan.FromSeconds(30), false, default);
        }

        await using var restarted = new EmbeddedRegistryStore(options);
        var names = (await restarted.ListAsync("lab/", default)).Registrations.Select(r => r.Name);
        Assert.Equal(["lab/fixed"], names);
        Assert.Equal(["http://a:1"], (await restarted.GetAsync("lab/fixed", default))!.Endpoints);
    }

    [Fact]
    public async Task A_removed_static_registration_stays_removed_after_a_restart()
    {
        var options = new EmbeddedRegistryOptions { PersistencePath = Path.Combine(_directory, "registry.json") };
        await using (var store = new EmbeddedRegistryStore(options))
        {
            await store.RegisterAsync(new Registration { Name = "gone", Kind = "model" }, null, false, default);
            await store.RemoveAsync("gone", default);
        }

        await using var restarted = new EmbeddedRegistryStore(options);
        Assert.Null(await restarted.GetAsync("gone", default));
    }

    [Fact]
    public async Task A_watcher_that_falls_behind_is_ended_and_nobody_waits_for_it()
    {
        await using var store = new EmbeddedRegistryStore(new EmbeddedRegistryOptions { WatcherQueueLength = 4 });
        await using var changes = store.WatchAsync("", 0, default).GetAsyncEnumerator();
        for (var i = 0; i < 10; i++)
        {
            await store.RegisterAsync(new Registration { Name = $"n{i}", Kind = "model" }, null, false, default);
        }

        var received = 0;
        await Assert.ThrowsAsync<RegistryHistoryLostException>(async () =>
        {
            while (await changes.MoveNextAsync())
            {
                received++;
            }
        });
        Assert.Equal(4, received);
    }

    [Fact]
    public async Task A_watch_from_a_forgotten_revision_is_refused()
    {
        await using var store = new EmbeddedRegistryStore(new EmbeddedRegistryOptions { HistoryLength = 2 });
        for (var i = 0; i < 5; i++)
        {
            await store.RegisterAsync(new Registration { Name = $"n{i}", Kind = "model" }, null, false, default);
        }

        await Assert.ThrowsAsync<RegistryHistoryLostException>(async () =>
        {
            await foreach (var _ in store.WatchAsync("", 1, default))
            {
            }
        });
    }
}
