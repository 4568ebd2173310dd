using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Models.Tests;

/// <summary>A model's lock over gRPC on loopback: leases and stream holds refuse everyone else's changes, viewers are told, the audit keeps it.</summary>
public sealed class LockingTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 5, 30, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Start);
    private readonly Stage _stage = new();
    private readonly Oven _oven = new();
    private ModelTestServer _server = null!;
    private ModelClient _client = null!;
    private CallOptions _alice;
    private CallOptions _bob;

    public async Task InitializeAsync()
    {
        _server = await ModelTestServer.StartAsync(_clock, host: registry =>
        {
            registry.Add("lab/stage", _stage);
            registry.Add("lab/oven", _oven);
        });
        _client = _server.Client(out _alice);
        _server.Client(out _bob, "bob");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_lease_refuses_everyone_elses_modify_invoke_and_stream_rate_naming_the_holder_until_it_lapses()
    {
        var held = await _client.LockAsync("lab/oven", options: _alice);
        await _client.LockAsync("lab/stage", TimeSpan.FromSeconds(30), _alice);

        Assert.Equal("alice", held.Holder);
        Assert.Equal(Start, held.Since.ToDateTimeOffset());
        Assert.Equal(Start.AddSeconds(10), held.Expires.ToDateTimeOffset());
        const string Holder = "is locked by alice since 2026-12-07 05:30:00 UTC (a lease until 2026-12-07 05:30:30 UTC)";
        var modify = await Assert.ThrowsAsync<RpcException>(() => _client.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Speed"] = 2 }, options: _bob));
        Assert.Equal(StatusCode.FailedPrecondition, modify.StatusCode);
        Assert.Equal($"model 'lab/stage' {Holder}", modify.Status.Detail);
        var dryRun = await Assert.ThrowsAsync<RpcException>(() => _client.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Speed"] = 2 }, dryRun: true, options: _bob));
        Assert.Equal(StatusCode.FailedPrecondition, dryRun.StatusCode);
        var invoke = await Assert.ThrowsAsync<RpcException>(() => _client.InvokeAsync("lab/stage", "MoveTo", new Dictionary<string, object?> { ["target"] = 5.0 }, options: _bob));
        Assert.Equal((StatusCode.FailedPrecondition, $"model 'lab/stage' {Holder}"), (invoke.StatusCode, invoke.Status.Detail));
        var rate = await Assert.ThrowsAsync<RpcException>(() => _client.SetStreamRateAsync("lab/oven", "temps", 5, _bob));
        Assert.Equal(StatusCode.FailedPrecondition, rate.StatusCode);
        Assert.StartsWith("model 'lab/oven' is locked by alice since", rate.Status.Detail, StringComparison.Ordinal);
        var taken = await Assert.ThrowsAsync<RpcException>(() => _client.LockAsync("lab/stage", options: _bob));
        Assert.Equal((StatusCode.FailedPrecondition, $"model 'lab/stage' {Holder}"), (taken.StatusCode, taken.Status.Detail));
        Assert.Equal(5, _stage.Speed);
        Assert.Equal(0, _stage.Moves);

        await _client.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Speed"] = 3 }, options: _alice);
        await _client.SetStreamRateAsync("lab/oven", "temps", 5, _alice);
        Assert.Equal(3, _stage.Speed);

        _clock.Advance(TimeSpan.FromSeconds(30));
        await _client.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Speed"] = 4 }, options: _bob);
        Assert.Equal(4, _stage.Speed);
        Assert.Null((await _client.DescribeAsync("lab/stage")).Lock);

        var history = await _client.HistoryAsync("lab/stage");
        Assert.Equal(
            ["alice lock 0", "bob modify 9", "bob modify 9", "bob invoke:MoveTo 9", "bob lock 9", "alice modify 0", "alice lock-lapsed 0", "bob modify 0"],
            history.Select(r => $"{r.Caller} {r.Action} {r.StatusCode}"));
        Assert.Equal("as a lease of 30 s", history[0].StatusMessage);
        Assert.Equal("its lease lapsed at 2026-12-07 05:30:30 UTC without renewal; it was held by alice since 2026-12-07 05:30:00 UTC", history[6].StatusMessage);
    }

    [Fact]
    public async Task ListModels_says_who_holds_each_model_and_since_when_held_by_a_stream_or_a_lease()
    {
        Assert.All(await _client.ListModelsAsync(_bob), m => Assert.Null(m.Lock));

        await using (var held = await _client.HoldLockAsync("lab/oven", _alice))
        {
            _clock.Advance(TimeSpan.FromSeconds(3));
            await _client.LockAsync("lab/stage", TimeSpan.FromSeconds(30), _bob);

            var models = (await _client.ListModelsAsync(_bob)).ToDictionary(m => m.Model);
            Assert.Equal(new LockInfo { Holder = "alice", Since = Timestamp.FromDateTimeOffset(Start) }, models["lab/oven"].Lock);
            Assert.Equal(
                new LockInfo { Holder = "bob", Since = Timestamp.FromDateTimeOffset(Start.AddSeconds(3)), Expires = Timestamp.FromDateTimeOffset(Start.AddSeconds(33)) },
                models["lab/stage"].Lock);
            Assert.Equal("locked by alice since 2026-12-07 05:30:00 UTC", models["lab/oven"].Lock.ToDisplayString());
        }

        // Released when its holder lets go; the lease lapses unrenewed.
        Assert.Null((await _client.ListModelsAsync(_bob)).Single(m => m.Model == "lab/oven").Lock);
        _clock.Advance(TimeSpan.FromSeconds(31));
        Assert.All(await _client.ListModelsAsync(_bob), m => Assert.Null(m.Lock));
    }

    [Fact]
    public async Task A_lease_is_renewed_by_locking_again_and_a_validity_out_of_bounds_is_refused()
    {
        await _client.LockAsync("lab/stage", TimeSpan.FromSeconds(5), _alice);
        _clock.Advance(TimeSpan.FromSeconds(4));
        var renewed = await _client.LockAsync("lab/stage", TimeSpan.FromSeconds(5), _alice);
        _clock.Advance(TimeSpan.FromSeconds(4));

        Assert.Equal(Start.AddSeconds(9), renewed.Expires.ToDateTimeOffset());
        Assert.Equal("alice", (await _client.DescribeAsync("lab/stage")).Lock.Holder);
        var tooLong = await Assert.ThrowsAsync<RpcException>(() => _client.LockAsync("lab/stage", TimeSpan.FromHours(2), _alice));
        Assert.Equal((StatusCode.InvalidArgument, "a lock's validity must be above 0 and at most 3600 s, not 7200 s"), (tooLong.StatusCode, tooLong.Status.Detail));
        var negative = await Assert.ThrowsAsync<RpcException>(() => _client.LockAsync("lab/stage", TimeSpan.FromSeconds(-1), _alice));
        Assert.Equal(StatusCode.InvalidArgument, negative.StatusCode);
        Assert.Equal("alice", (await _client.UnlockAsync("lab/stage", options: _alice))?.Holder);
        Assert.Null(await _client.UnlockAsync("lab/stage", options: _alice));
    }

    [Fact]
    public async Task Only_the_holder_unlocks_and_anyone_else_is_told_who_holds_it()
    {
        await _client.LockAsync("lab/stage", options: _alice);

        var refused = await Assert.ThrowsAsync<RpcException>(() => _client.UnlockAsync("lab/stage", options: _bob));

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.EndsWith("; only its holder can release it, or a key with scope admin with force", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("alice", (await _client.DescribeAsync("lab/stage")).Lock.Holder);
    }

    [Fact]
    public async Task Viewers_are_told_of_taking_and_breaking_whatever_they_subscribed_to_and_the_broken_stream_ends_aborted()
    {
        await using var viewer = new Subscription(_client, new SubscribeRequest { Model = "lab/stage", Properties = { "Speed" } });
        Assert.Null((await viewer.NextAsync()).Lock);
        await _client.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Speed"] = 2 }, options: _alice);
        Assert.Equal(1, (await viewer.NextAsync()).Version);

        await using var holding = await _client.HoldLockAsync("lab/stage", _alice);

        Assert.True(holding.IsHeld);
        Assert.Null(holding.Lock.Expires);
        var taken = await viewer.NextAsync();
        Assert.Equal((Notification.Types.Kind.Lock, 1L, "alice", "lock", "alice"), (taken.Kind, taken.Version, taken.ChangedBy, taken.Cause, taken.Lock.Holder));
        Assert.Empty(taken.Values);
        await using (var late = new Subscription(_client, new SubscribeRequest { Model = "lab/stage" }))
        {
            Assert.Equal("alice", (await late.NextAsync()).Lock.Holder);
        }

        Assert.Equal("alice", (await _client.DescribeAsync("lab/stage")).Lock.Holder);
        var refused = await Assert.ThrowsAsync<RpcException>(() => _client.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Speed"] = 3 }, options: _bob));
        Assert.Equal("model 'lab/stage' is locked by alice since 2026-12-07 05:30:00 UTC (for as long as its HoldLock stream is open)", refused.Status.Detail);
        var twice = await Assert.ThrowsAsync<RpcException>(() => _client.HoldLockAsync("lab/stage", _alice));
        Assert.Equal(StatusCode.FailedPrecondition, twice.StatusCode);

        Assert.Equal("alice", (await _client.UnlockAsync("lab/stage", force: true, options: _bob))?.Holder);

        var broken = await viewer.NextAsync();
        Assert.Equal((Notification.Types.Kind.Lock, "bob", "break-lock"), (broken.Kind, broken.ChangedBy, broken.Cause));
        Assert.Null(broken.Lock);
        Assert.Equal("the lock of model 'lab/stage' was broken by bob", await holding.Lost.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(holding.IsHeld);
        await _client.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Speed"] = 3 }, options: _bob);
        var record = (await _client.HistoryAsync("lab/stage")).Last(r => r.Action == "break-lock");
        Assert.Equal(("bob", 0), (record.Caller, record.StatusCode));
        Assert.Equal("broken by bob; it was held by alice since 2026-12-07 05:30:00 UTC", record.StatusMessage);
    }

    [Fact]
    public async Task A_stream_hold_is_released_when_the_stream_ends_and_disposing_releases_it_at_once()
    {
        await using var viewer = new Subscription(_client, new SubscribeRequest { Model = "lab/stage" });
        await viewer.NextAsync();

        var holding = await _client.HoldLockAsync("lab/stage", _alice);
        Assert.Equal("lock", (await viewer.NextLockAsync()).Cause);
        await holding.DisposeAsync();

        // Disposing answered only once the server had released it: no wait needed.
        await _client.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Speed"] = 6 }, options: _bob);
        // A LOCK goes out beside the changes (as a sample does), so it may come before or after the Modify's CHANGE.
        var released = await viewer.NextLockAsync();
        Assert.Equal((Notification.Types.Kind.Lock, "alice", "unlock"), (released.Kind, released.ChangedBy, released.Cause));
        Assert.Null(released.Lock);
        Assert.Equal($"lab/stage {holding.Lock.ToDisplayString()} (released)", holding.ToString());

        // A stream cut without a word (the holder's process gone) releases it too.
        using var cut = new CancellationTokenSource();
        using var call = _client.HoldLock(new HoldLockRequest { Model = "lab/stage" }, _alice.WithCancellationToken(cut.Token));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal("lock", (await viewer.NextLockAsync()).Cause);
        await cut.CancelAsync();
        var ended = await viewer.NextLockAsync();
        Assert.Equal(("unlock", "alice"), (ended.Cause, ended.ChangedBy));
        Assert.Equal("its HoldLock stream ended", (await _client.HistoryAsync("lab/stage")).Last().StatusMessage);
    }
}
