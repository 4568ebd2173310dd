using Grpc.Core;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;
using RemoteModel.Testing;
using Xunit.Abstractions;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Controller.Tests;

/// <summary>
/// A lock held by the controller REPL as a real process, against a real model server and name
/// server: it refuses another controller's Modify, and the moment the holder is killed the lock is gone.
/// </summary>
public sealed class LockProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private ProcessTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await ProcessTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_lock_held_by_a_controller_refuses_another_and_is_released_within_a_second_of_its_sigkill()
    {
        var (_, address) = await _bed.StartTickersAsync("ticker");
        var models = new ModelClient(_bed.Channel(address));
        var bob = new CallOptions(headers: new Metadata { { "remotemodel-caller", "bob" } });
        using var viewing = new CancellationTokenSource();
        using var subscription = models.Subscribe(new SubscribeRequest { Model = "ticker", Properties = { "Symbol" } }, new CallOptions(cancellationToken: viewing.Token));
        await using var viewer = subscription.ResponseStream.ReadAllAsync(viewing.Token).GetAsyncEnumerator();
        Assert.True(await viewer.MoveNextAsync());

        var controller = _bed.Track(Executables.Start(Executables.Controller, ["--Controller:Caller=operator", "--no-history", "--ns", _bed.NameServer]));
        await controller.StandardInput.WriteAsync("var t = Connect(\"ticker\");\nvar held = t.Lock();\nheld\n");
        await controller.StandardInput.FlushAsync();
        var shown = await controller.WaitForLineAsync("ticker locked by", ProcessTestBed.StartTimeout);

        // The line after its prefix, "ticker locked by".
        Assert.StartsWith("operator [key local] since ", shown, StringComparison.Ordinal);
        var taken = await NextLockAsync(viewer);
        Assert.Equal(("operator [key local]", "lock"), (taken.Lock.Holder, taken.Cause));
        var refused = await Assert.ThrowsAsync<RpcException>(() => models.ModifyAsync("ticker", new Dictionary<string, object?> { ["Symbol"] = "ACME" }, options: bob));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.StartsWith("model 'ticker' is locked by operator [key local] since ", refused.Status.Detail, StringComparison.Ordinal);

        // The server stamps the LOCK notification with the time it released the lock; this machine's clock, as the test's.
        var killedAt = DateTimeOffset.UtcNow;
        controller.Signal(Posix.SigKill);
        var ended = await NextLockAsync(viewer);
        var released = ended.Time.ToDateTimeOffset() - killedAt;
        output.WriteLine($"released {released.TotalMilliseconds:0} ms after the holder's SIGKILL");

        Assert.True(released < TimeSpan.FromSeconds(1), $"the lock was released {released.TotalMilliseconds:0} ms after the holder's SIGKILL");
        Assert.Equal(("operator [key local]", "unlock"), (ended.ChangedBy, ended.Cause));
        Assert.Null(ended.Lock);
        await models.ModifyAsync("ticker", new Dictionary<string, object?> { ["Symbol"] = "ACME" }, options: bob);
        var record = (await models.HistoryAsync("ticker")).Last(r => r.Action == "unlock");
        Assert.Equal("its HoldLock stream ended", record.StatusMessage);
        await viewing.CancelAsync();
    }

    private static async Task<Notification> NextLockAsync(IAsyncEnumerator<Notification> viewer)
    {
        while (await viewer.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
        {
            if (viewer.Current.Kind == Notification.Types.Kind.Lock)
            {
                return viewer.Current;
            }
        }

        throw new InvalidOperationException("the subscription ended before a LOCK notification");
    }
}
