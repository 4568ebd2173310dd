using RemoteModel.Naming.Etcd;
using RemoteModel.Naming.Registry;
using RemoteModel.Testing;

namespace RemoteModel.Naming.Tests;

/// <summary>The contract suite against one real etcd member: leases expire in etcd's own time.</summary>
[RequiresPeers(Peer.Etcd)]
public sealed class EtcdStoreContractTests(EtcdNodeFixture etcd) : RegistryStoreContract, IClassFixture<EtcdNodeFixture>
{
    protected override Task<IRegistryStore> CreateStoreAsync() =>
        Task.FromResult<IRegistryStore>(new EtcdRegistryStore(etcd.Options()));

    protected override Task LetTimePassAsync(TimeSpan span) => Task.Delay(span);
}
