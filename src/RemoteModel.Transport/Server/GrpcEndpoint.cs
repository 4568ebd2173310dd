namespace RemoteModel.Transport.Server;

/// <summary>
/// Where a server listens: <c>http://host:port</c> (cleartext HTTP/2 with prior knowledge, for
/// loopback and trusted networks), <c>https://host:port</c> (HTTP/2 over TLS, negotiated with
/// ALPN; needs <see cref="CertificatePath"/>) or <c>unix:/path/to.sock</c>. Port 0 picks a free port.
/// </summary>
public sealed class GrpcEndpoint
{
    /// <summary>The address to listen on.</summary>
    public string Url { get; set; } = "http://127.0.0.1:0";

    /// <summary>For https: the certificate, a PEM file (with <see cref="CertificateKeyPath"/>) or a PKCS#12 file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>For https with a PEM certificate: its private key, a PEM file readable only by its owner.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>An endpoint for <paramref name="url"/>.</summary>
    public static GrpcEndpoint Parse(string url) => new() { Url = url };

    /// <inheritdoc />
    public override string ToString() => Url;
}
