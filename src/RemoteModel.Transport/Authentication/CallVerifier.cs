using System.Buffers;
using RemoteModel.Transport.Server;

namespace RemoteModel.Transport.Authentication;

/// <summary>
/// Checks each call a server receives before its handler runs, with the request's exact bytes,
/// and seals what the server answers to a call it verified. The server's counterpart of
/// <see cref="CallSigner"/>; the transport knows no scheme.
/// </summary>
public abstract class CallVerifier
{
    /// <summary>
    /// Checks the call and returns the sealer of its answers, or null for a call that carries no
    /// signature (answered unsealed; whether it may go on is the service's decision). Throws
    /// <see cref="RpcException"/> to refuse the call before its handler runs.
    /// </summary>
    /// <param name="context">The call: its method, metadata and peer. Items set here reach the handler.</param>
    /// <param name="request">The request message's bytes, uncompressed.</param>
    public abstract IResponseSealer? Verify(ServerCallContext context, ReadOnlySequence<byte> request);
}
