using RemoteModel.Naming.V1;

namespace RemoteModel.Naming.Registry;

/// <summary>
/// Where the registry lives: in this process (the embedded store), in etcd, or in Consul. Every
/// store passes the same contract tests. A registration is either leased (it ends when its TTL
/// passes without a keep-alive) or static (it lasts until removed, across restarts).
/// </summary>
/// <remarks>
/// Revisions are the store's own, increasing with every change; a watch resumes after one.
/// Stores never block on a slow watcher: one that falls too far behind is ended with
/// <see cref="RegistryHistoryLostException"/> and starts again from a snapshot.
/// </remarks>
public interface IRegistryStore : IAsyncDisposable
{
    /// <summary>
    /// Whether other name servers may keep the registry too (etcd, Consul), so a registration can
    /// end through one of them; false for a store of this process alone, where only a lease ends by itself.
    /// </summary>
    bool IsShared => true;

    /// <summary>
    /// Creates or replaces the registration of <c>registration.Name</c>. With a <paramref name="ttl"/>
    /// it is leased; without, static. Returns what was stored, with
    /// <see cref="Registration.LeaseId"/> (0 when static), <see cref="Registration.Revision"/>,
    /// <see cref="Registration.Ttl"/> and <see cref="Registration.RegisteredAt"/> filled in.
    /// </summary>
    /// <exception cref="NameTakenException"><paramref name="safe"/> and the name is registered already.</exception>
    Task<Registration> RegisterAsync(Registration registration, TimeSpan? ttl, bool safe, CancellationToken cancellationToken);

    /// <summary>Renews a lease for its full TTL; returns the TTL, or null when the lease is gone.</summary>
    Task<TimeSpan?> KeepAliveAsync(long leaseId, CancellationToken cancellationToken);

    /// <summary>Ends the registration held by <paramref name="leaseId"/>; false when it was gone already.</summary>
    Task<bool> UnregisterAsync(long leaseId, CancellationToken cancellationToken);

    /// <summary>Removes the registration of <paramref name="name"/>, leased or static; false when there was none.</summary>
    Task<bool> RemoveAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// The registration of <paramref name="name"/>, or null. Read it, do not change it: a store
    /// may hand out the registration it keeps (a lookup then copies nothing).
    /// </summary>
    Task<Registration?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every registration whose name starts with <paramref name="prefix"/>, ordered by name, and the revision they are as of.</summary>
    Task<RegistrySnapshot> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// The changes under <paramref name="prefix"/> after <paramref name="afterRevision"/>, in
    /// order, until cancelled.
    /// </summary>
    /// <exception cref="RegistryHistoryLostException">Changes after that revision can no longer be told (compacted, or the watcher fell behind).</exception>
    IAsyncEnumerable<RegistryChange> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken);
}

/// <summary>The registrations under a prefix as of one revision.</summary>
/// <param name="Registrations">Ordered by name.</param>
/// <param name="Revision">The store revision they are as of.</param>
public sealed record RegistrySnapshot(IReadOnlyList<Registration> Registrations, long Revision);

/// <summary>What happened to a registration.</summary>
public enum RegistryChangeKind
{
    /// <summary>A name that was free is registered.</summary>
    Registered,

    /// <summary>A registered name was registered again, with other contents or another lease.</summary>
    Changed,

    /// <summary>A registration ended: unregistered, removed, or its lease expired.</summary>
    Unregistered,
}

/// <summary>One change to the registry.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Registration">The registration after the change (before it, for <see cref="RegistryChangeKind.Unregistered"/>).</param>
/// <param name="Revision">The store revision of the change.</param>
public sealed record RegistryChange(RegistryChangeKind Kind, Registration Registration, long Revision);

/// <summary>A safe registration found its name taken by a live registration.</summary>
public sealed class NameTakenException(string name)
    : Exception($"The name '{name}' is registered already; a safe registration does not replace it.")
{
    /// <summary>The name that is taken.</summary>
    public string Name { get; } = name;
}

/// <summary>A watch cannot resume where it was: it must start again from a snapshot.</summary>
public sealed class RegistryHistoryLostException(string message) : Exception(message);

/// <summary>The store's backend (etcd, Consul) cannot be reached or refused the request.</summary>
public sealed class RegistryUnavailableException(string message, Exception? innerException = null)
    : Exception(message, innerException);
