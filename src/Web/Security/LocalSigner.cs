using RemoteModel.Grpc.Authentication;

namespace RemoteModel.Web.Security;

/// <summary>The key of the person who started the web view (found as the controller finds it), for pages without a login.</summary>
/// <param name="Signer">Null when there is no key or authentication is off.</param>
internal sealed record LocalSigner(CallSigner? Signer);
