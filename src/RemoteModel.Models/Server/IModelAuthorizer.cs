using Grpc.Core;

namespace RemoteModel.Models.Server;

/// <summary>
/// Decides who a call comes from and whether it may do what it asks. The model service calls it
/// before every action; it throws <see cref="RpcException"/> (UNAUTHENTICATED or
/// PERMISSION_DENIED) to refuse, and otherwise returns the caller's identity, which versioned
/// changes and audit records carry.
/// </summary>
public interface IModelAuthorizer
{
    /// <summary>Refuses by throwing; returns the caller's identity when the call may go on.</summary>
    /// <param name="context">The call.</param>
    /// <param name="action">What it asks.</param>
    /// <param name="model">The model it concerns; empty for ListModels.</param>
    ValueTask<string> AuthorizeAsync(ServerCallContext context, ModelAction action, string model);
}
