using System.Net;
using Microsoft.Extensions.Options;
using RemoteModel.Hosting;

namespace RemoteModel.Web.Hosting;

/// <summary>
/// Refuses, at start, a web view that would serve strangers unprotected: any address but loopback
/// needs TLS and a login, since the page drives instruments with its user's key.
/// </summary>
internal sealed class WebOptionsValidator(IOptions<TlsOptions> tls) : IValidateOptions<WebOptions>
{
    public ValidateOptionsResult Validate(string? name, WebOptions options)
    {
        var problems = new List<string>();
        if (!Uri.TryCreate(options.Listen, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            problems.Add($"Web:Listen '{options.Listen}' is not http://host:port or https://host:port.");
        }
        else if (uri.Host != "localhost" && !IPAddress.TryParse(uri.Host.Trim('[', ']'), out _))
        {
            problems.Add($"Web:Listen {options.Listen}: listen on an IP address (127.0.0.1, 0.0.0.0, [::]) or localhost, not a host name.");
        }
        else
        {
            if (uri.Scheme == "https" && string.IsNullOrEmpty(tls.Value.CertificatePath))
            {
                problems.Add($"Web:Listen {options.Listen} is https but no certificate is configured: set Tls:CertificatePath (and Tls:KeyPath for PEM).");
            }

            if (!IsLoopback(uri) && (uri.Scheme != "https" || !options.RequireLogin))
            {
                problems.Add($"Web:Listen {options.Listen} is not a loopback address: the web view serves other machines only over https:// with Tls:CertificatePath and with a login (--require-login, Web:RequireLogin=true).");
            }
        }

        if (options.DisplayRateHz is not (> 0 and <= 60))
        {
            problems.Add($"Web:DisplayRateHz is {options.DisplayRateHz}: it takes a rate above 0 and at most 60 a second.");
        }

        if (options.PlotWindow < TimeSpan.FromSeconds(10) || options.PlotWindow > TimeSpan.FromHours(1))
        {
            problems.Add($"Web:PlotWindow is {options.PlotWindow}: it takes 10 seconds to 1 hour.");
        }

        if (options.HistoryLimit is < 1 or > 10_000)
        {
            problems.Add($"Web:HistoryLimit is {options.HistoryLimit}: it takes 1 to 10000.");
        }

        if (options.CallTimeout <= TimeSpan.Zero)
        {
            problems.Add("Web:CallTimeout must be positive.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>127.0.0.0/8, ::1 and localhost.</summary>
    internal static bool IsLoopback(Uri uri) =>
        uri.Host == "localhost" || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
