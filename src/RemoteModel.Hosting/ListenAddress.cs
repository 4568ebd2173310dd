using System.Net;
using Microsoft.AspNetCore.Hosting;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using RemoteModel.Security.Keys;

namespace RemoteModel.Hosting;

/// <summary>
/// One address a server listens on: <c>http://host:port</c> (cleartext HTTP/2 with prior
/// knowledge, for loopback and trusted networks), <c>https://host:port</c> (HTTP/2 over TLS by
/// ALPN, the certificate from <see cref="TlsOptions"/>) or <c>unix:/path</c> (a Unix domain socket).
/// Port 0 takes any free port.
/// </summary>
public static class ListenAddress
{
    /// <summary>Adds a Kestrel endpoint for <paramref name="url"/>.</summary>
    /// <exception cref="ArgumentException">The address is none of the forms above.</exception>
    /// <exception cref="InvalidOperationException">An https address without a certificate configured.</exception>
    public static void Listen(KestrelServerOptions kestrel, string url, TlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(tls);
        if (url.StartsWith("unix:", StringComparison.Ordinal))
        {
            var path = url["unix:".Length..];
            if (File.Exists(path))
            {
                // A socket file left by a server that died; binding fails while it is there.
                File.Delete(path);
            }

            kestrel.ListenUnixSocket(path, listen => listen.Protocols = HttpProtocols.Http2);
            return;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"'{url}' is not an address to listen on: use http://host:port, https://host:port or unix:/path.", nameof(url));
        }

        Action<ListenOptions> configure = uri.Scheme == "https"
            ? listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(LoadCertificate(url, tls));
            }
            // Cleartext must be HTTP/2 only: with HTTP/1.1 allowed too, h2c clients are served HTTP/1.1.
            : listen => listen.Protocols = HttpProtocols.Http2;

        switch (uri.Host)
        {
            case "localhost":
                kestrel.ListenLocalhost(uri.Port, configure);
                break;
            case "*" or "+" or "0.0.0.0":
                kestrel.Listen(IPAddress.Any, uri.Port, configure);
                break;
            case "[::]":
                kestrel.Listen(IPAddress.IPv6Any, uri.Port, configure);
                break;
            default:
                if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address))
                {
                    throw new ArgumentException($"'{url}': listen on an IP address, localhost, 0.0.0.0 or [::], not a host name.", nameof(url));
                }

                kestrel.Listen(address, uri.Port, configure);
                break;
        }
    }

    /// <summary>How an address Kestrel reports is written for clients: <c>unix:/path</c> for a socket.</summary>
    public static string ForClients(string kestrelAddress) =>
        kestrelAddress.StartsWith("http://unix:", StringComparison.Ordinal) ? kestrelAddress["http://".Length..] : kestrelAddress;

    /// <summary>The certificate an <c>https://</c> endpoint at <paramref name="url"/> presents, as <paramref name="tls"/> names it.</summary>
    /// <exception cref="InvalidOperationException">No certificate is configured.</exception>
    public static X509Certificate2 LoadCertificate(string url, TlsOptions tls)
    {
        var path = tls.CertificatePath
            ?? throw new InvalidOperationException($"{url} is https but no certificate is configured: set Tls:CertificatePath (and Tls:KeyPath for PEM).");
        if (tls.KeyPath is { } keyPath)
        {
            if (File.Exists(keyPath))
            {
                PrivateFile.Check(keyPath, "TLS private key");
            }

            return X509Certificate2.CreateFromPemFile(path, keyPath);
        }

        return X509CertificateLoader.LoadPkcs12FromFile(path, password: null);
    }
}
