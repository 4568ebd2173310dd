using Grpc.Core;
using RemoteModel.Security;
using RemoteModel.Security.Keys;

namespace RemoteModel.Naming.Server;

/// <summary>
/// The name server's key checks: registering, holding, renewing and ending registrations need
/// scope register on the name; removing any registration needs admin; reads need read only when
/// reads are protected.
/// </summary>
public sealed class KeyRegistryAuthorizer(KeyPermissions permissions) : IRegistryAuthorizer
{
    /// <inheritdoc />
    public ValueTask AuthorizeAsync(ServerCallContext context, RegistryAction action, string name)
    {
        _ = action switch
        {
            RegistryAction.Read => permissions.DemandRead(context, name),
            RegistryAction.Register or RegistryAction.Unregister => permissions.Demand(context, KeyScopes.Register, name),
            RegistryAction.Remove => permissions.Demand(context, KeyScopes.Admin, name),
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, "unknown registry action"),
        };
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask AuthorizeLeaseAsync(ServerCallContext context, RegistryAction action, Func<Task<IReadOnlyList<string>>> leaseNames)
    {
        var key = permissions.Demand(context, KeyScopes.Register, string.Empty);
        if (key.Names.Count == 0)
        {
            return;
        }

        // A key limited to some names may renew or end only leases on those names.
        foreach (var name in await leaseNames())
        {
            permissions.Demand(context, KeyScopes.Register, name);
        }
    }
}
