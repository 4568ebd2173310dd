using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Verification;
using Grpc.Core;

namespace RemoteModel.Security;

/// <summary>
/// The scope and name checks the services make once a call is verified: a method that needs a
/// scope refuses an unsigned call (UNAUTHENTICATED) and a key without the scope or the name
/// (PERMISSION_DENIED), saying what the key does allow. Every refusal is logged once.
/// </summary>
public sealed class KeyPermissions(AuthOptions options, ILogger<KeyPermissions>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<KeyPermissions>.Instance;

    /// <summary>
    /// Requires the call's key to have <paramref name="scope"/> on <paramref name="name"/>
    /// (empty: no particular name); returns the key.
    /// </summary>
    /// <exception cref="RpcException">UNAUTHENTICATED without a key; PERMISSION_DENIED without the scope or the name.</exception>
    public AccessKey Demand(ServerCallContext context, KeyScopes scope, string name)
    {
        var scopeName = KeyScopeNames.Name(scope);
        var key = HmacCallVerifier.KeyOf(context);
        if (key is null)
        {
            AuthLog.Refused(_logger, context.Method, context.Peer, "(none)", $"no key; needs scope {scopeName}");
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                $"{context.Method} needs a key with scope '{scopeName}' and the call was not signed (is a keyring set up? see docs/security.md)"));
        }

        if (!key.Has(scope))
        {
            var has = string.Join(", ", KeyScopeNames.Format(key.Scopes));
            AuthLog.Refused(_logger, context.Method, context.Peer, key.Id, $"lacks scope {scopeName}");
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"key '{key.Id}' lacks scope '{scopeName}' needed by {context.Method}; it has: {(has.Length == 0 ? "none" : has)}"));
        }

        if (!key.Covers(name))
        {
            AuthLog.Refused(_logger, context.Method, context.Peer, key.Id, $"not allowed on {name}");
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"key '{key.Id}' is not allowed on '{name}'; it covers: {string.Join(", ", key.Names)}"));
        }

        return key;
    }

    /// <summary>A read: open unless reads are protected; a signed call's key is returned either way.</summary>
    public AccessKey? DemandRead(ServerCallContext context, string name) =>
        options.ProtectReads ? Demand(context, KeyScopes.Read, name) : HmacCallVerifier.KeyOf(context);
}
