using Grpc.Core;
using Microsoft.Extensions.Logging;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.Etcd;
using RemoteModel.Naming.Server;
using RemoteModel.Naming.V1;
using RemoteModel.Testing;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.Naming.Tests;

/// <summary>Two name servers over one real etcd registry: each logs every end once, the ones it did not make as such.</summary>
[RequiresPeers(Peer.Etcd)]
public sealed class EtcdSharedByNameServersTests(EtcdNodeFixture etcd) : IClassFixture<EtcdNodeFixture>
{
    private const string EndedElsewhere = "lease ran out, or ended through another name server";

    [PeerFact]
    public async Task A_lease_that_runs_out_is_logged_by_both_and_a_hold_that_ends_by_its_own_server_as_such()
    {
        var options = etcd.Options();
        await using var first = await NameServer.StartAsync(options);
        await using var second = await NameServer.StartAsync(options);

        // A registration nobody renews: both learn its end from etcd.
        await first.Client.RegisterAsync(Model("lab/unrenewed"), TimeSpan.FromSeconds(2));
        foreach (var server in new[] { first, second })
        {
            await Eventually.TrueAsync(() => Task.FromResult(server.EndsOf("lab/unrenewed").Count > 0), "the lease's end to be logged");
            Assert.Equal($"Unregistered lab/unrenewed (model): {EndedElsewhere}", Assert.Single(server.EndsOf("lab/unrenewed")));
        }

        var hold = first.Client.Hold(Model("lab/held"));
        await using (var events = hold.ResponseStream.ReadAllAsync().GetAsyncEnumerator())
        {
            Assert.True(await events.MoveNextAsync());
            Assert.Equal("lab/held", (await second.Client.LookupAsync("lab/held")).Name);
            hold.Dispose();
        }

        await Eventually.TrueAsync(() => Task.FromResult(second.EndsOf("lab/held").Count > 0), "the other server to log the hold's end");
        await Eventually.TrueAsync(() => Task.FromResult(first.EndsOf("lab/held").Count > 0), "the holder's server to log the hold's end");
        Assert.Equal($"Unregistered lab/held (model): {EndedElsewhere}", Assert.Single(second.EndsOf("lab/held")));
        Assert.Equal("Unregistered lab/held (model): holder disconnected", Assert.Single(first.EndsOf("lab/held")));
    }

    private static Registration Model(string name) => new() { Name = name, Kind = "model", Endpoints = { "http://127.0.0.1:5001" } };

    private sealed class NameServer : IAsyncDisposable
    {
        private readonly LogCapture _log = new();
        private readonly CancellationTokenSource _stopping = new();
        private EtcdRegistryStore _store = null!;
        private ServedNamingService _served = null!;
        private Task _endsElsewhere = Task.CompletedTask;

        public NamingClient Client => _served.Client;

        public static async Task<NameServer> StartAsync(EtcdRegistryOptions options)
        {
            var server = new NameServer { _store = new EtcdRegistryStore(options) };
            var naming = new NamingService(server._store, logger: new Logger<NamingService>(server._log));
            server._served = await ServedNamingService.StartAsync(naming);
            server._endsElsewhere = naming.LogEndsElsewhereAsync(server._stopping.Token);
            return server;
        }

        public List<string> EndsOf(string name) =>
            [.. _log.Entries.Select(e => e.Message).Where(m => m.StartsWith($"Unregistered {name} ", StringComparison.Ordinal))];

        public async ValueTask DisposeAsync()
        {
            await _stopping.CancelAsync();
            await _endsElsewhere;
            await _served.DisposeAsync();
            await _store.DisposeAsync();
        }
    }
}
