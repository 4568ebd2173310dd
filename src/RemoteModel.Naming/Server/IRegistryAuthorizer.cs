using Grpc.Core;

namespace RemoteModel.Naming.Server;

/// <summary>
/// Decides whether a call may do what it asks. The name server calls it before every action;
/// it throws <see cref="RpcException"/> (UNAUTHENTICATED or PERMISSION_DENIED) to refuse.
/// </summary>
public interface IRegistryAuthorizer
{
    /// <summary>Refuses by throwing; returns when the call may go on.</summary>
    /// <param name="context">The call.</param>
    /// <param name="action">What it asks.</param>
    /// <param name="name">The name it concerns, or the prefix it reads; empty for the whole registry.</param>
    ValueTask AuthorizeAsync(ServerCallContext context, RegistryAction action, string name);

    /// <summary>
    /// For a call that names a lease rather than a registration (keep alive, unregister): refuses
    /// unless the caller may act on every name the lease holds. <paramref name="leaseNames"/> is
    /// asked only when the answer depends on the names.
    /// </summary>
    ValueTask AuthorizeLeaseAsync(ServerCallContext context, RegistryAction action, Func<Task<IReadOnlyList<string>>> leaseNames) =>
        AuthorizeAsync(context, action, string.Empty);
}

/// <summary>Lets every call through: the default until keys are configured.</summary>
public sealed class AllowAllRegistryAuthorizer : IRegistryAuthorizer
{
    /// <summary>The one instance.</summary>
    public static readonly AllowAllRegistryAuthorizer Instance = new();

    /// <inheritdoc />
    public ValueTask AuthorizeAsync(ServerCallContext context, RegistryAction action, string name) => ValueTask.CompletedTask;
}
