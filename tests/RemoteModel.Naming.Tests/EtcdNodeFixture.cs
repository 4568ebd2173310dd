using RemoteModel.Naming.Etcd;
using RemoteModel.Testing;

namespace RemoteModel.Naming.Tests;

/// <summary>
/// One single-member etcd shared by a test class; tests keep apart by their own key prefixes.
/// Not started where etcd is missing (the tests are skipped), except under CI, where it fails.
/// </summary>
public sealed class EtcdNodeFixture : IAsyncLifetime
{
    private EtcdCluster? _cluster;

    public EtcdMember Member => (_cluster ?? throw new InvalidOperationException("etcd was not started.")).Members[0];

    /// <summary>Options for a store on this member, under a key prefix of its own unless one is given.</summary>
    public EtcdRegistryOptions Options(string? keyPrefix = null) => new()
    {
        Endpoints = [Member.ClientUrl],
        KeyPrefix = keyPrefix ?? $"/remotemodel-test/{Guid.NewGuid():N}/",
    };

    public async Task InitializeAsync()
    {
        if (PeerRequirement.SkipReason([Peer.Etcd]) is not null)
        {
            return;
        }

        _cluster = await EtcdCluster.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
