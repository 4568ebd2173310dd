using Grpc.Core;

namespace RemoteModel.Grpc.Authentication;

/// <summary>
/// Signs a client's calls and checks what the server answers. A <see cref="Client.SignedChannel"/>
/// hands it each request's exact bytes before they are sent; what it returns checks every
/// response message and the call's end. RemoteModel's HMAC keys plug in here.
/// </summary>
public abstract class CallSigner
{
    /// <summary>
    /// Signs one call: adds what the server needs to <paramref name="headers"/> and returns the
    /// check of that call's answers.
    /// </summary>
    /// <param name="method">The method path, <c>/package.Service/Method</c>.</param>
    /// <param name="request">The request message's bytes, exactly as they will be sent.</param>
    /// <param name="headers">The request metadata; signing adds to it.</param>
    public abstract IResponseVerifier Sign(string method, ReadOnlySpan<byte> request, Metadata headers);
}
