namespace RemoteModel.Hosting;

/// <summary>
/// The <c>Tls</c> section: the certificate every <c>https://</c> endpoint of a server presents,
/// for confidentiality (the HMAC key stays the identity). The key file must be private to its owner.
/// </summary>
public sealed class TlsOptions
{
    /// <summary>The certificate: a PEM file (with <see cref="KeyPath"/>) or a PKCS#12 file. Default none (no https endpoints).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The certificate's private key, a PEM file. Default none.</summary>
    public string? KeyPath { get; set; }
}
