using RemoteModel.Naming.Consul;
using RemoteModel.Naming.Registry;
using RemoteModel.Testing;

namespace RemoteModel.Naming.Tests;

/// <summary>
/// The contract suite against a real <c>consul agent -dev</c>: TTL checks go critical in Consul's
/// own time. Skipped, with the reason shown, where no consul binary is on PATH (even under CI:
/// Consul cannot be installed in this project's environment).
/// </summary>
[RequiresPeers(Peer.Consul)]
public sealed class ConsulStoreContractTests(ConsulAgentFixture consul) : RegistryStoreContract, IClassFixture<ConsulAgentFixture>
{
    /// <summary>
    /// The agent turns a TTL check critical when its TTL passes and syncs that to the catalog at
    /// once; 3 s leaves room for that on a loaded machine while the waits stay short.
    /// </summary>
    protected override TimeSpan ShortTtl => TimeSpan.FromSeconds(3);

    protected override Task<IRegistryStore> CreateStoreAsync() => Task.FromResult<IRegistryStore>(new ConsulRegistryStore(consul.Options()));

    protected override Task LetTimePassAsync(TimeSpan span) => Task.Delay(span);
}
