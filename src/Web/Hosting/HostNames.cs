using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Options;

namespace RemoteModel.Web.Hosting;

/// <summary>
/// Which <c>Host</c> headers the web view answers (ASP.NET Core's host filtering; any other gets
/// 400). A web view on loopback answers only loopback names (<c>localhost</c>, <c>127.0.0.1</c>,
/// <c>[::1]</c> and the address it listens on, with any port): a hostile page elsewhere whose
/// name it has pointed at 127.0.0.1 (DNS rebinding) then cannot drive the page with its user's
/// key. <c>AllowedHosts</c> (ASP.NET Core's setting, <c>;</c>-separated, <c>*.lab.example</c>
/// wildcards) replaces that list; a web view listening beyond loopback answers what
/// <c>AllowedHosts</c> says, by default any name (it requires TLS and a login there).
/// </summary>
internal static class HostNames
{
    /// <summary>The configuration key: ASP.NET Core's own.</summary>
    public const string AllowedHostsKey = "AllowedHosts";

    /// <summary>Names every loopback web view answers to.</summary>
    private static readonly string[] Loopback = ["localhost", "127.0.0.1", "[::1]"];

    /// <summary>
    /// Restricts the host names to loopback ones when the web view listens on loopback and
    /// <c>AllowedHosts</c> is not configured; ASP.NET Core's defaults (configuration's
    /// <c>AllowedHosts</c>, else any) otherwise.
    /// </summary>
    public static IServiceCollection AddHostNameFiltering(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HostFilteringOptions>().Configure<IOptions<WebOptions>>((filtering, web) =>
        {
            if (string.IsNullOrWhiteSpace(configuration[AllowedHostsKey]) && Uri.TryCreate(web.Value.Listen, UriKind.Absolute, out var listen) && WebOptionsValidator.IsLoopback(listen))
            {
                filtering.AllowedHosts = [.. Loopback.Append(listen.Host).Distinct(StringComparer.OrdinalIgnoreCase)];
            }
        });
        return services;
    }
}
