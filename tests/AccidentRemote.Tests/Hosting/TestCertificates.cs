using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AccidentRemote.Tests.Hosting;

/// <summary>Certificates a test makes itself, written as PEM (or PFX) files into a temp folder that Dispose removes.</summary>
public sealed class TestCertificates : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("ar-tls-").FullName;

    public sealed record Pair(string CertificatePath, string KeyPath, X509Certificate2 Certificate);

    /// <summary>A self-signed server certificate for the loopback addresses (or one made with the given changes).</summary>
    public Pair Make(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, bool rsa = false,
        string usageOid = "1.3.6.1.5.5.7.3.1", string? keyPassword = null)
    {
        using AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = key is RSA r
            ? new CertificateRequest($"CN={name}", r, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest($"CN={name}", (ECDsa)key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.Parse("127.0.0.2"));
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usageOid)], false));
        var cert = request.CreateSelfSigned(notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(30));
        var certPath = Path.Combine(Folder, name + ".crt.pem");
        var keyPath = Path.Combine(Folder, name + ".key.pem");
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        File.WriteAllText(keyPath, keyPassword is null
            ? key.ExportPkcs8PrivateKeyPem()
            : key.ExportEncryptedPkcs8PrivateKeyPem(keyPassword, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000)));
        return new Pair(certPath, keyPath, cert);
    }

    /// <summary>The pair as one PKCS#12 file; without the key when <paramref name="withKey"/> is false.</summary>
    public string Pfx(Pair pair, string? password, bool withKey = true)
    {
        using var full = X509Certificate2.CreateFromPemFile(pair.CertificatePath, pair.KeyPath);
        var bytes = withKey
            ? full.Export(X509ContentType.Pkcs12, password)
            : new X509Certificate2Collection(X509CertificateLoader.LoadCertificate(full.RawData)).Export(X509ContentType.Pkcs12, password)!;
        var path = Path.Combine(Folder, Path.GetFileNameWithoutExtension(pair.CertificatePath) + (withKey ? "" : ".nokey") + ".pfx");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public string Write(string fileName, string text)
    {
        var path = Path.Combine(Folder, fileName);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
