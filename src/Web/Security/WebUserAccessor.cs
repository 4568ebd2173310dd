using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;
using RemoteModel.Web.Hosting;

namespace RemoteModel.Web.Security;

/// <summary>The user of one circuit (one open tab): the logged-in key's holder, or, without a login, the person who started the web view.</summary>
internal sealed class WebUserAccessor(AuthenticationStateProvider authentication, IOptions<WebOptions> options, LocalSigner local, KeyLogin login)
{
    public async Task<WebUser?> CurrentAsync()
    {
        if (!options.Value.RequireLogin)
        {
            return new WebUser(options.Value.LocalUser, local.Signer, null);
        }

        var state = await authentication.GetAuthenticationStateAsync();
        return state.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } keyId } && login.SignerFor(keyId) is { } signer
            ? new WebUser(keyId, signer, keyId)
            : null;
    }
}
