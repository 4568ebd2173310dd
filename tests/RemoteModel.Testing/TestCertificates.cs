using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RemoteModel.Testing;

/// <summary>Self-signed server certificates for loopback TLS tests.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class TestCertificates
{
    /// <summary>
    /// Writes a certificate for 127.0.0.1 and localhost (<c>server.crt</c>, PEM) and its private
    /// key (<c>server.key</c>, PEM, owner-only) into <paramref name="directory"/>.
    /// </summary>
    public static (string CertificatePath, string KeyPath) WriteSelfSigned(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificatePath = Path.Combine(directory, "server.crt");
        var keyPath = Path.Combine(directory, "server.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return (certificatePath, keyPath);
    }
}
