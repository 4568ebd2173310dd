using RemoteModel.Grpc.Authentication;

namespace RemoteModel.Web.Security;

/// <summary>
/// The person at a page and the key their calls are signed with. Models audit them as
/// <c>NAME via web [key ID]</c>: the name is what the page says of its user, the key is what the
/// model server verified.
/// </summary>
/// <param name="Name">The person: the account that started the web view, or the key id they logged in with.</param>
/// <param name="Signer">Signs their calls; null when authentication is off.</param>
/// <param name="KeyId">The key they logged in with; null without a login.</param>
internal sealed record WebUser(string Name, CallSigner? Signer, string? KeyId)
{
    /// <summary>What the calls say of their caller.</summary>
    public string Caller => $"{Name} via web";
}
