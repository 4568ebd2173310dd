using Grpc.Core;
using RemoteModel.Models.Client;
using RemoteModel.Testing;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Models.Tests;

/// <summary>A model's lock held by a client in another language: python grpcio holding a HoldLock stream against the model server executable.</summary>
public sealed class LockInteropTests
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
}
