using RemoteModel.Security.Keys;
using RemoteModel.Transport.Server;

namespace RemoteModel.Hosting;

/// <summary>
/// The <c>Tls</c> section: the certificate every <c>https://</c> endpoint of a server presents,
/// for confidentiality (the HMAC key stays the identity). The key file must be private to its owner.
/// </summary>
public sealed class TlsOptions
{
    /// <summary>The certificate: a PEM file (with <see cref="KeyPath"/>) or a PKCS#12 file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The certificate's private key, a PEM file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The endpoint for <paramref name="url"/>, with the certificate when it is https.</summary>
    /// <exception cref="InvalidOperationException">An https endpoint without a certificate.</exception>
    public GrpcEndpoint Endpoint(string url)
    {
        var endpoint = GrpcEndpoint.Parse(url);
        if (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            endpoint.CertificatePath = CertificatePath
                ?? throw new InvalidOperationException($"{url} is https but no certificate is configured: set Tls:CertificatePath (and Tls:KeyPath for PEM).");
            endpoint.CertificateKeyPath = KeyPath;
            if (KeyPath is not null && File.Exists(KeyPath))
            {
                PrivateFile.Check(KeyPath, "TLS private key");
            }
        }

        return endpoint;
    }
}
