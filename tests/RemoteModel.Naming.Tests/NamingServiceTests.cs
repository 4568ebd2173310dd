using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.Embedded;
using RemoteModel.Naming.Server;
using RemoteModel.Naming.V1;
using RemoteModel.Testing;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.Naming.Tests;

/// <summary>The naming service over gRPC on loopback (a real Kestrel server), on the embedded store and a fake clock.</summary>
public sealed class NamingServiceTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new();
    private EmbeddedRegistryStore _store = null!;
    private ServedNamingService _served = null!;
    private readonly LogCapture _log = new();
    private readonly CancellationTokenSource _stopping = new();
    private NamingClient _client = null!;
    private Task _endsElsewhere = Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _store = new EmbeddedRegistryStore(timeProvider: _clock);
        var service = new NamingService(_store, new NamingServiceOptions { ServerName = "test" }, timeProvider: _clock, logger: new Logger<NamingService>(_log));
        _served = await ServedNamingService.StartAsync(service);
        _client = _served.Client;
        _endsElsewhere = service.LogEndsElsewhereAsync(_stopping.Token);
    }

    public async Task DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _endsElsewhere;
        await _served.DisposeAsync();
        await _store.DisposeAsync();
    }

    private static Registration Model(string name, params (string Key, string Value)[] metadata)
    {
        var registration = new Registration { Name = name, Kind = "model", Endpoints = { "http://127.0.0.1:5001" } };
        foreach (var (key, value) in metadata)
        {
            registration.Metadata[key] = value;
        }

        return registration;
    }

    [Fact]
    public async Task Lookup_finds_what_was_registered()
    {
        var stored = await _client.RegisterAsync(Model("lab1/stage/x", ("room", "B12")));
        var found = await _client.LookupAsync("lab1/stage/x");
        Assert.Equal(stored, found);
        Assert.Equal(30, found.Ttl.Seconds);
    }

    [Fact]
    public async Task List_selects_by_prefix_pattern_kind_tags_and_metadata()
    {
        await _client.RegisterAsync(Model("lab1/stage/x", ("room", "B12"), ("axis", "x")));
        await _client.RegisterAsync(Model("lab1/stage/y", ("room", "B12"), ("axis", "y")));
        await _client.RegisterAsync(Model("lab2/oven", ("room", "C3")));
        var viewer = Model("lab1/stage/x/viewers/v1");
        viewer.Kind = "viewer";
        viewer.Tags.Add("console");
        await _client.RegisterAsync(viewer);

        async Task<string[]> Names(Selector selector) => [.. (await _client.ListAsync(selector)).Registrations.Select(r => r.Name)];

        Assert.Equal(["lab1/stage/x", "lab1/stage/x/viewers/v1", "lab1/stage/y"], await Names(new Selector { Prefix = "lab1/" }));
        Assert.Equal(["lab1/stage/x", "lab1/stage/y"], await Names(new Selector { Pattern = "lab1/stage/[xy]" }));
        Assert.Equal(["lab1/stage/x/viewers/v1"], await Names(new Selector { Kind = "viewer" }));
        Assert.Equal(["lab1/stage/x/viewers/v1"], await Names(new Selector { Tags = { "console" } }));
        Assert.Equal(["lab1/stage/y"], await Names(new Selector { MetadataAll = { ["room"] = "B12", ["axis"] = "y" } }));
        Assert.Equal(["lab1/stage/x", "lab2/oven"], await Names(new Selector { MetadataAny = { ["axis"] = "x", ["room"] = "C3" } }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/lab")]
    [InlineData("lab/")]
    [InlineData("lab//x")]
    [InlineData("lab/x y")]
    public async Task A_malformed_name_is_refused_with_invalid_argument_saying_why(string name)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.RegisterAsync(Model(name)));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("not a valid name", error.Status.Detail);
        Assert.Empty((await _client.ListAsync()).Registrations);
    }

    [Fact]
    public async Task Bad_requests_get_precise_statuses()
    {
        await _client.RegisterAsync(Model("taken"));
        Assert.Equal(StatusCode.AlreadyExists, (await Assert.ThrowsAsync<RpcException>(() => _client.RegisterAsync(Model("taken"), safe: true))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => _client.LookupAsync("nobody"))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => _client.KeepAliveAsync(424242))).StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => _client.RegisterAsync(Model("short"), TimeSpan.FromMilliseconds(100)))).StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => _client.ListAsync(new Selector { Pattern = "(" }))).StatusCode);
        var noKind = Model("nokind");
        noKind.Kind = "";
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => _client.RegisterAsync(noKind))).StatusCode);
        var badEndpoint = Model("badendpoint");
        badEndpoint.Endpoints[0] = "not an address";
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => _client.RegisterAsync(badEndpoint))).StatusCode);
    }

    [Fact]
    public async Task A_lease_not_renewed_is_gone_at_its_ttl_and_one_renewed_stays()
    {
        var dropped = await _client.RegisterAsync(Model("dropped"), TimeSpan.FromSeconds(5));
        var kept = await _client.RegisterAsync(Model("kept"), TimeSpan.FromSeconds(5));
        for (var i = 0; i < 4; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(2));
            await _client.KeepAliveAsync(kept.LeaseId);
        }

        Assert.Equal(["kept"], (await _client.ListAsync()).Registrations.Select(r => r.Name));
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => _client.KeepAliveAsync(dropped.LeaseId))).StatusCode);
    }

    [Fact]
    public async Task Every_end_is_logged_once_a_lease_that_ran_out_by_the_watch_the_others_where_they_were_ended()
    {
        async Task ExpireAndSeeLoggedAsync(string name)
        {
            await _client.RegisterAsync(Model(name), TimeSpan.FromSeconds(5));
            _clock.Advance(TimeSpan.FromSeconds(6));
            await Eventually.TrueAsync(() => Task.FromResult(EndsLogged(name).Count == 1), $"the end of {name} to be logged");
        }

        // The first shows the watch is on; the last, that it has seen everything before it.
        await ExpireAndSeeLoggedAsync("lab/first");
        var unregistered = await _client.RegisterAsync(Model("lab/unregistered"), TimeSpan.FromSeconds(30));
        await _client.UnregisterAsync(unregistered.LeaseId);
        await _client.RegisterAsync(Model("lab/removed"), TimeSpan.Zero);
        Assert.True(await _client.RemoveAsync("lab/removed"));
        var hold = _client.Hold(Model("lab/held"));
        await using (var events = hold.ResponseStream.ReadAllAsync().GetAsyncEnumerator())
        {
            Assert.True(await events.MoveNextAsync());
            hold.Dispose();
            await WaitUntilGone("lab/held", TimeSpan.FromSeconds(1));
        }

        await ExpireAndSeeLoggedAsync("lab/last");
        await Eventually.TrueAsync(() => Task.FromResult(EndsLogged("lab/held").Count > 0), "the hold's end to be logged");

        Assert.Equal("Unregistered lab/first (model): lease ran out", Assert.Single(EndsLogged("lab/first")));
        Assert.StartsWith($"Lease {unregistered.LeaseId} ended by its holder", Assert.Single(EndsLogged($"Lease {unregistered.LeaseId} ")));
        Assert.Empty(EndsLogged("lab/unregistered"));
        Assert.StartsWith("Removed lab/removed by", Assert.Single(EndsLogged("lab/removed")));
        Assert.Equal("Unregistered lab/held (model): holder disconnected", Assert.Single(EndsLogged("lab/held")));
    }

    [Fact]
    public async Task Registrations_that_end_while_the_watch_of_ends_is_broken_off_are_logged_when_it_is_back()
    {
        // A watcher may fall one change behind, and the log stalls on lab/slow's end: lab/queued's
        // end waits in the queue, lab/missed's overflows it and breaks the watch off.
        var clock = new FakeTimeProvider();
        await using var store = new EmbeddedRegistryStore(new EmbeddedRegistryOptions { WatcherQueueLength = 1 }, clock);
        var log = new LogCapture();
        using var logger = new StallingLogger(new Logger<NamingService>(log), "lab/slow");
        var service = new NamingService(store, timeProvider: clock, logger: logger);
        foreach (var (name, seconds) in new[] { ("lab/probe", 5), ("lab/slow", 10), ("lab/queued", 20), ("lab/missed", 30) })
        {
            await store.RegisterAsync(Model(name), TimeSpan.FromSeconds(seconds), safe: false, default);
        }

        await store.RegisterAsync(Model("lab/stays"), ttl: null, safe: false, default);
        using var stopping = new CancellationTokenSource();
        var watching = service.LogEndsElsewhereAsync(stopping.Token);
        string[] Ends(string name) => [.. log.Entries.Select(e => e.Message).Where(m => m.StartsWith($"Unregistered {name} ", StringComparison.Ordinal))];

        clock.Advance(TimeSpan.FromSeconds(5));
        await Eventually.TrueAsync(() => Task.FromResult(Ends("lab/probe").Length == 1), "the watch of ends to be live");
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await logger.Stalled.WaitAsync(TimeSpan.FromSeconds(30)), "the log stalls on lab/slow's end");
        clock.Advance(TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(10));
        logger.Resume();

        // The watch starts again after StoreRetryDelay on the clock; the clock moves until it has.
        await Eventually.TrueAsync(() =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            return Task.FromResult(log.Entries.Any(e => e.Message == "Watching again for registrations that end by themselves"));
        }, "the watch of ends to start again");

        Assert.Equal(["Unregistered lab/slow (model): lease ran out"], Ends("lab/slow"));
        Assert.Equal(["Unregistered lab/queued (model): lease ran out"], Ends("lab/queued"));
        Assert.Equal(["Unregistered lab/missed (model): ended while the store could not be watched"], Ends("lab/missed"));
        Assert.Empty(Ends("lab/stays"));
        Assert.Single(log.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("The watch for registrations that end by themselves broke off", StringComparison.Ordinal));
        await stopping.CancelAsync();
        await watching;
    }

    /// <summary>A logger that stalls, once, on the first line naming <paramref name="subject"/>, as a slow log sink would.</summary>
    private sealed class StallingLogger(ILogger<NamingService> inner, string subject) : ILogger<NamingService>, IDisposable
    {
        private readonly SemaphoreSlim _resume = new(0);
        private int _stalled;

        public SemaphoreSlim Stalled { get; } = new(0);

        public void Resume() => _resume.Release();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).Contains(subject, StringComparison.Ordinal) && Interlocked.Exchange(ref _stalled, 1) == 0)
            {
                Stalled.Release();
                _resume.Wait(TimeSpan.FromSeconds(30));
            }

            inner.Log(logLevel, eventId, state, exception, formatter);
        }

        public void Dispose()
        {
            _resume.Dispose();
            Stalled.Dispose();
        }
    }

    [Fact]
    public async Task A_registration_is_logged_with_its_addresses_and_a_viewer_without_an_empty_list()
    {
        var model = await _client.RegisterAsync(Model("lab/logged"), TimeSpan.FromSeconds(30));
        var viewer = await _client.RegisterAsync(new Registration { Name = "lab/logged/viewers/v1", Kind = "viewer" }, TimeSpan.FromSeconds(30));

        var registered = _log.Entries.Select(e => e.Message).Where(m => m.StartsWith("Registered lab/logged", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, registered.Count);
        Assert.Matches($@"^Registered lab/logged \(model\) at http://127\.0\.0\.1:5001, lease {model.LeaseId}, TTL 00:00:30, by \S+$", registered[0]);
        Assert.Matches($@"^Registered lab/logged/viewers/v1 \(viewer\), lease {viewer.LeaseId}, TTL 00:00:30, by \S+$", registered[1]);
    }

    [Fact]
    public async Task A_hold_ended_by_the_name_server_stopping_is_logged_as_that()
    {
        var log = new LogCapture();
        var service = new NamingService(_store, timeProvider: _clock, logger: new Logger<NamingService>(log));
        await using var stopping = await ServedNamingService.StartAsync(service);
        using var hold = stopping.Client.Hold(Model("lab/stopped"));
        await using var events = hold.ResponseStream.ReadAllAsync().GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());

        await stopping.StopAsync();

        Assert.Contains(log.Entries, e => e.Message == "Unregistered lab/stopped (model): name server stopping");
        Assert.Null(await _store.GetAsync("lab/stopped", default));
    }

    /// <summary>The log lines that end a registration and name <paramref name="subject"/>.</summary>
    private List<string> EndsLogged(string subject) =>
        [.. _log.Entries.Select(e => e.Message).Where(m => m.Contains(subject, StringComparison.Ordinal) && !m.StartsWith("Registered ", StringComparison.Ordinal))];

    [Fact]
    public async Task A_static_registration_is_never_evicted_and_remove_ends_it()
    {
        await _client.RegisterAsync(Model("fixed"), TimeSpan.Zero);
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, (await _client.LookupAsync("fixed")).LeaseId);
        Assert.True(await _client.RemoveAsync("fixed"));
        Assert.False(await _client.RemoveAsync("fixed"));
    }

    [Fact]
    public async Task A_lookup_can_wait_for_a_name_to_appear()
    {
        var waiting = _client.LookupAsync("late", TimeSpan.FromSeconds(30));
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        await _client.RegisterAsync(Model("late"));
        Assert.Equal("late", (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).Name);
    }

    [Fact]
    public async Task A_lookup_that_waits_in_vain_answers_not_found_when_its_wait_is_over()
    {
        var waiting = _client.LookupAsync("never", TimeSpan.FromSeconds(30));
        await Task.Delay(100);
        _clock.Advance(TimeSpan.FromSeconds(31));
        var error = await Assert.ThrowsAsync<RpcException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("appeared within", error.Status.Detail);
    }

    [Fact]
    public async Task A_held_registration_lives_while_its_stream_is_open_and_ends_with_it()
    {
        var hold = _client.Hold(Model("held"));
        await using var events = hold.ResponseStream.ReadAllAsync().GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("held", events.Current.Registration.Name);
        Assert.Equal("held", (await _client.LookupAsync("held")).Name);

        hold.Dispose();
        await WaitUntilGone("held", TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_watch_starts_with_a_snapshot_then_tells_each_change_of_its_prefix()
    {
        await _client.RegisterAsync(Model("lab/a"));
        using var watch = _client.Watch(new Selector { Prefix = "lab/" });
        await using var events = watch.ResponseStream.ReadAllAsync().GetAsyncEnumerator();
        async Task<WatchEvent> Next()
        {
            Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
            return events.Current;
        }

        Assert.Equal((WatchEvent.Types.Type.Snapshot, "lab/a"), ((await Next()).Type, events.Current.Registration.Name));
        Assert.Equal(WatchEvent.Types.Type.SnapshotEnd, (await Next()).Type);

        await _client.RegisterAsync(Model("elsewhere/b"));
        var b = await _client.RegisterAsync(Model("lab/b"), TimeSpan.FromSeconds(5));
        await _client.RegisterAsync(Model("lab/b", ("state", "busy")));
        await _client.RemoveAsync("lab/a");

        Assert.Equal((WatchEvent.Types.Type.Registered, "lab/b"), ((await Next()).Type, events.Current.Registration.Name));
        Assert.Equal((WatchEvent.Types.Type.Changed, "busy"), ((await Next()).Type, events.Current.Registration.Metadata["state"]));
        Assert.Equal((WatchEvent.Types.Type.Unregistered, "lab/a"), ((await Next()).Type, events.Current.Registration.Name));
        Assert.NotEqual(0, b.LeaseId);
    }

    [Fact]
    public async Task Ping_answers_with_the_server_name()
    {
        Assert.Equal("test", (await _client.PingAsync()).Server);
    }

    private Task WaitUntilGone(string name, TimeSpan within) =>
        Eventually.TrueAsync(async () => (await _client.ListAsync(new Selector { Prefix = name })).Registrations.All(r => r.Name != name), $"'{name}' to be gone", within);
}
