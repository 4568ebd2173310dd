using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace RemoteModel.Web.Security;

/// <summary>
/// The form posts of the login page: log in with a key id and secret, log out. Both need the
/// antiforgery token the forms carry; the secret travels only in the posted form, never in a URL.
/// </summary>
internal static partial class LoginEndpoints
{
    public static void MapLogin(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/account/login", async (HttpContext context, KeyLogin login, ILogger<KeyLogin> logger,
            [FromForm(Name = "keyId")] string? keyId, [FromForm(Name = "secret")] string? secret, [FromForm(Name = "returnUrl")] string? returnUrl) =>
        {
            var key = keyId is { Length: > 0 } && secret is { Length: > 0 } ? login.Check(keyId, secret) : null;
            var local = returnUrl is ['/', not '/' and not '\\', ..] or "/" ? returnUrl : "/";
            if (key is null)
            {
                LogRefused(logger, keyId ?? string.Empty, context.Connection.RemoteIpAddress?.ToString() ?? "?");
                return Results.Redirect($"/login?failed=1&ReturnUrl={Uri.EscapeDataString(local)}");
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, key.Id)], CookieAuthenticationDefaults.AuthenticationScheme);
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            LogLoggedIn(logger, key.Id, context.Connection.RemoteIpAddress?.ToString() ?? "?");
            return Results.LocalRedirect(local);
        }).AllowAnonymous();

        endpoints.MapPost("/account/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/login");
        }).WithMetadata(new Microsoft.AspNetCore.Antiforgery.RequireAntiforgeryTokenAttribute());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Login refused for key {KeyId} from {Remote}")]
    private static partial void LogRefused(ILogger logger, string keyId, string remote);

    [LoggerMessage(Level = LogLevel.Information, Message = "Logged in with key {KeyId} from {Remote}")]
    private static partial void LogLoggedIn(ILogger logger, string keyId, string remote);
}
