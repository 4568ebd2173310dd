using System.Buffers;
using Grpc.Core;

namespace RemoteModel.Grpc.Authentication;

/// <summary>
/// Checks each call an authenticated service receives before its handler runs, with the
/// request's exact bytes as they arrived, and seals what the service answers to a call it
/// verified. The server's counterpart of <see cref="CallSigner"/>; register one in the
/// container and map services with <see cref="Server.AuthenticatedServiceExtensions"/>.
/// </summary>
public abstract class CallVerifier
{
    /// <summary>
    /// Checks the call and returns the sealer of its answers, or null for a call that carries no
    /// signature (answered unsealed; whether it may go on is the service's decision). Throws
    /// <see cref="RpcException"/> to refuse the call before its handler runs.
    /// </summary>
    /// <param name="context">The call: its method, metadata and peer. <see cref="ServerCallContext.UserState"/> set here reaches the handler.</param>
    /// <param name="request">The request message's bytes, uncompressed.</param>
    public abstract IResponseSealer? Verify(ServerCallContext context, ReadOnlySequence<byte> request);

    /// <summary>The id of the key <see cref="Verify"/> found the call signed with, or null (unsigned, or not verified yet): for monitors and logs.</summary>
    public virtual string? KeyIdOf(ServerCallContext context) => null;
}
