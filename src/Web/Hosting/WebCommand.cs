using System.CommandLine;
using RemoteModel.Hosting;

namespace RemoteModel.Web.Hosting;

/// <summary>The command line: flags become <c>Web</c> settings, the rest are <c>--Section:Key=value</c> settings.</summary>
internal static class WebCommand
{
    public static void Configure(RootCommand root)
    {
        var nameServer = new Option<string?>("--ns") { Description = "The name server. Default $REMOTEMODEL_NAMESERVER, then http://127.0.0.1:9090." };
        var listen = new Option<string?>("--listen") { Description = "Where to listen. Default http://127.0.0.1:8080; anything but loopback needs https:// with Tls:CertificatePath and --require-login." };
        var readOnly = new Option<bool>("--read-only") { Description = "Show everything, change nothing." };
        var requireLogin = new Option<bool>("--require-login") { Description = "Ask for a key id and secret from the keyring before showing anything." };
        var allowedHosts = new Option<string?>("--allowed-hosts")
        {
            Description = "The Host names answered, ;-separated, *.lab.example wildcards (ASP.NET Core's AllowedHosts). Default: loopback names on loopback, any beyond.",
        };
        foreach (var option in new Option[] { nameServer, listen, readOnly, requireLogin, allowedHosts })
        {
            root.Options.Add(option);
        }

        root.SetSettingsAction((result, settings, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string?>();
            if (result.GetValue(nameServer) is { } ns)
            {
                overrides["Web:NameServer"] = ns;
            }

            if (result.GetValue(listen) is { } address)
            {
                overrides["Web:Listen"] = address;
            }

            if (result.GetValue(readOnly))
            {
                overrides["Web:ReadOnly"] = "true";
            }

            if (result.GetValue(requireLogin))
            {
                overrides["Web:RequireLogin"] = "true";
            }

            if (result.GetValue(allowedHosts) is { } hosts)
            {
                overrides[HostNames.AllowedHostsKey] = hosts;
            }

            return WebHost.RunAsync(Configuration.Build(settings, overrides), cancellationToken);
        });
    }
}
