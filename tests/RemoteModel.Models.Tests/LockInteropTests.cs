using Grpc.Core;
using RemoteModel.Models.V1;
using RemoteModel.Security.Keys;
using RemoteModel.Models.Client;
using RemoteModel.Testing;
using Xunit.Abstractions;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Models.Tests;

/// <summary>
/// A model's lock held by a client in another language against the model server executable: python
/// grpcio holding an unsigned HoldLock stream, and @grpc/grpc-js holding a signed one.
/// </summary>
public sealed class LockInteropTests(ITestOutputHelper output)
{
    private static CallOptions As(string caller) => new(headers: new Metadata { { "remotemodel-caller", caller } });

    [PeerFact(Peer.PythonGrpc)]
    public async Task A_python_grpcio_client_holds_the_lock_and_its_stream_ends_aborted_when_an_admin_breaks_it()
    {
        // Authentication off: the python client does not sign, and callers are who they say.
        await using var bed = await ProcessTestBed.StartAsync(authentication: false);
        var (_, address) = await bed.StartTickersAsync("ticker");
        var models = new ModelClient(bed.Channel(address));
        var peer = bed.Track(ChildProcess.Start(OutsidePeers.Python,
            [RepositoryPaths.Combine("tests", "interop", "python", "hold_lock.py"), "--target", new Uri(address).Authority, "--model", "ticker", "--caller", "py-operator"]));

        Assert.Equal("py-operator", await peer.WaitForLineAsync("HELD ", ProcessTestBed.StartTimeout));
        var refused = await Assert.ThrowsAsync<RpcException>(() => models.ModifyAsync("ticker", new Dictionary<string, object?> { ["Rate"] = 2.0 }, options: As("bob")));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.StartsWith("model 'ticker' is locked by py-operator since ", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("py-operator", (await models.DescribeAsync("ticker")).Lock.Holder);

        Assert.Equal("py-operator", (await models.UnlockAsync("ticker", force: true, options: As("root")))?.Holder);

        Assert.Equal("ABORTED the lock of model 'ticker' was broken by root", await peer.WaitForLineAsync("ENDED ", TimeSpan.FromSeconds(30)));
        Assert.Equal(0, await peer.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await models.ModifyAsync("ticker", new Dictionary<string, object?> { ["Rate"] = 2.0 }, options: As("bob"));
    }

    [PeerFact(Peer.NodeGrpc)]
    public async Task A_grpc_js_client_holds_the_lock_with_a_signed_stream_and_it_goes_within_a_second_of_the_clients_sigkill()
    {
        await using var bed = await ProcessTestBed.StartAsync();
        var (_, address) = await bed.StartTickersAsync("ticker");
        var models = new ModelClient(bed.Channel(address));
        await using var viewer = new Subscription(models, new SubscribeRequest { Model = "ticker", Properties = { "Symbol" } });
        await viewer.NextAsync();

        var key = TestKeyring.Current.SigningKey()!;
        var peer = bed.Track(ChildProcess.Start("node",
            [RepositoryPaths.Combine("tests", "interop", "node", "hold_lock.js"), "--target", new Uri(address).Authority, "--model", "ticker", "--caller", "js-operator"],
            environment: new Dictionary<string, string> { ["REMOTEMODEL_KEY"] = $"{key.Id}:{KeyringFile.EncodeSecret(key)}" }));

        var holder = $"js-operator [key {key.Id}]";
        Assert.Equal(holder, await peer.WaitForLineAsync("HELD ", ProcessTestBed.StartTimeout));
        Assert.Equal(holder, (await viewer.NextLockAsync()).Lock.Holder);
        var refused = await Assert.ThrowsAsync<RpcException>(() => models.ModifyAsync("ticker", new Dictionary<string, object?> { ["Symbol"] = "ACME" }, options: As("bob")));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.StartsWith($"model 'ticker' is locked by {holder} since ", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(holder, Assert.Single(await models.ListModelsAsync()).Lock.Holder);

        // The server stamps the LOCK notification with the time it released the lock; this machine's clock, as the test's.
        var killedAt = DateTimeOffset.UtcNow;
        peer.Signal(Posix.SigKill);
        var ended = await viewer.NextLockAsync();
        var released = ended.Time.ToDateTimeOffset() - killedAt;
        output.WriteLine($"released {released.TotalMilliseconds:0} ms after the grpc-js holder's SIGKILL");

        Assert.True(released < TimeSpan.FromSeconds(1), $"the lock was released {released.TotalMilliseconds:0} ms after the holder's SIGKILL");
        Assert.Equal((holder, "unlock"), (ended.ChangedBy, ended.Cause));
        Assert.Null(ended.Lock);
        await models.ModifyAsync("ticker", new Dictionary<string, object?> { ["Symbol"] = "ACME" }, options: As("bob"));
        Assert.Equal("its HoldLock stream ended", (await models.HistoryAsync("ticker")).Last(r => r.Action == "unlock").StatusMessage);
    }
}
