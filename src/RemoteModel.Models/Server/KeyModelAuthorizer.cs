using RemoteModel.Security;
using RemoteModel.Security.Keys;
using Grpc.Core;

namespace RemoteModel.Models.Server;

/// <summary>
/// The model server's key checks: Modify, Invoke, SetStreamRate and taking or releasing the
/// model's lock need scope control on the model; breaking another's lock needs admin; reads and subscriptions need read only when reads are protected. The caller's identity
/// names the key that proved it, so the audit records the key id of every change:
/// <c>alice@lab [key ops]</c>, where <c>alice@lab</c> is what the caller says of itself. A call a
/// relay passes on names, besides, whom the relay acts for: <c>alice@lab [key ops] via relay-2 [key relay-2]</c>;
/// that header is heeded only on a call signed with a verified key (the relay's).
/// </summary>
public sealed class KeyModelAuthorizer(KeyPermissions permissions) : IModelAuthorizer
{
    /// <inheritdoc />
    public ValueTask<string> AuthorizeAsync(ServerCallContext context, ModelAction action, string model)
    {
        var key = action switch
        {
            ModelAction.Read or ModelAction.Subscribe => permissions.DemandRead(context, model),
            ModelAction.Modify or ModelAction.Invoke or ModelAction.SetStreamRate or ModelAction.Lock => permissions.Demand(context, KeyScopes.Control, model),
            ModelAction.BreakLock => permissions.Demand(context, KeyScopes.Admin, model),
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, "unknown model action"),
        };
        var claimed = CallerHeaderAuthorizer.ClaimedCaller(context);
        return ValueTask.FromResult(key is null
            ? claimed ?? context.Peer
            : CallerHeaderAuthorizer.Relayed(context, claimed is null ? $"key {key.Id}" : $"{claimed} [key {key.Id}]"));
    }
}
