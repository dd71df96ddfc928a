using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AccidentRemote.Tests.Infrastructure;

/// <summary>
/// A throwaway certificate authority and a server certificate it signed for <c>localhost</c> and
/// <c>127.0.0.1</c>, as an operator's CA would issue one: the TLS tests trust the CA (HttpClient) or the
/// server key's SPKI hash (Chromium's <c>--ignore-certificate-errors-spki-list</c>), never "any certificate".
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private TestCertificateAuthority(X509Certificate2 root, X509Certificate2 server)
    {
        Root = root;
        Server = server;
    }

    /// <summary>The CA's certificate (public part only).</summary>
    public X509Certificate2 Root { get; }

    /// <summary>The server certificate with its private key.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>Base64 SHA-256 of the server key's SubjectPublicKeyInfo (RFC 7469), for Chromium's SPKI list.</summary>
    public string ServerSpkiSha256 => Convert.ToBase64String(SHA256.HashData(Server.PublicKey.ExportSubjectPublicKeyInfo()));

    public static TestCertificateAuthority Create()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=AccidentRemote test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var signed = request.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(16));
        var server = signed.CopyWithPrivateKey(serverKey);
        return new TestCertificateAuthority(X509CertificateLoader.LoadCertificate(ca.RawData), server);
    }

    /// <summary>Writes <c>fullchain.pem</c> (server certificate, then the CA) and <c>privkey.pem</c> into <paramref name="folder"/>.</summary>
    public void WritePem(string folder, string chainFile = "fullchain.pem", string keyFile = "privkey.pem")
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, chainFile), Server.ExportCertificatePem() + "\n" + Root.ExportCertificatePem() + "\n");
        var key = Path.Combine(folder, keyFile);
        File.WriteAllText(key, Server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>True when <paramref name="certificate"/> chains to this CA and to nothing else (the machine's roots are not consulted).</summary>
    public bool Issued(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        Root.Dispose();
        Server.Dispose();
    }
}
