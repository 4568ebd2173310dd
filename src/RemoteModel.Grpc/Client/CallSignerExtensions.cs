using Grpc.Core;
using RemoteModel.Grpc.Authentication;

namespace RemoteModel.Grpc.Client;

/// <summary>Signing the calls of any channel.</summary>
public static class CallSignerExtensions
{
    /// <summary>
    /// A call invoker on <paramref name="channel"/> whose unary and server-streaming calls
    /// <paramref name="signer"/> signs, and whose answers it checks before they are handed on:
    /// <c>new Model.ModelClient(GrpcChannel.ForAddress(url).SignedWith(signer))</c>.
    /// </summary>
    public static CallInvoker SignedWith(this ChannelBase channel, CallSigner signer)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(signer);
        return new SigningCallInvoker(channel.CreateCallInvoker(), signer);
    }
}
