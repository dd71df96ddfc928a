using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AccidentRemote.Server.Hosting;

/// <summary>
/// The phone trial's self-signed certificate for one address: made once, kept as PEM files
/// (<c>cert.pem</c>, <c>key.pem</c> readable by the owner only), and reused while it is valid for at least
/// another day and names the same address. Made like a real server certificate (ECDSA P-256, the address as
/// subject alternative name, serverAuth, 90 days), because phones check those before they offer to proceed.
/// </summary>
public static class TrialCertificate
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(90);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(1);

    public sealed record Files(string CertificatePath, string KeyPath, string Sha256Fingerprint, DateTimeOffset NotAfter, bool Created);

    public static Files LoadOrCreate(string folder, IPAddress address, DateTimeOffset now)
    {
        var certPath = Path.GetFullPath(Path.Combine(folder, "cert.pem"));
        var keyPath = Path.GetFullPath(Path.Combine(folder, "key.pem"));
        if (Reusable(certPath, keyPath, address, now) is { } kept)
        {
            return kept;
        }

        Directory.CreateDirectory(folder);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=AccidentRemote phone trial {address}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(address);
        request.CertificateExtensions.Add(names.Build(critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        // An hour back: a phone whose clock runs a little behind still accepts it.
        using var cert = request.CreateSelfSigned(now.AddHours(-1), now.Add(Lifetime));

        Write(keyPath, key.ExportPkcs8PrivateKeyPem(), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Write(certPath, cert.ExportCertificatePem(), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return new Files(certPath, keyPath, Fingerprint(cert), cert.NotAfter.ToUniversalTime(), Created: true);
    }

    /// <summary>The kept files, when they load, belong together, name this address and stay valid for another day.</summary>
    private static Files? Reusable(string certPath, string keyPath, IPAddress address, DateTimeOffset now)
    {
        if (!File.Exists(certPath) || !File.Exists(keyPath))
        {
            return null;
        }

        try
        {
            using var tls = TlsCertificateFiles.Load(new HttpsOptions { CertificatePath = certPath, KeyPath = keyPath }, now.Add(RenewBefore));
            var c = tls.Certificate;
            var named = c.Extensions.OfType<X509SubjectAlternativeNameExtension>().Any(san => san.EnumerateIPAddresses().Contains(address));
            return named && now.UtcDateTime >= c.NotBefore.ToUniversalTime()
                ? new Files(certPath, keyPath, Fingerprint(c), c.NotAfter.ToUniversalTime(), Created: false)
                : null;
        }
        catch (TlsCertificateException)
        {
            return null;
        }
    }

    public static string Fingerprint(X509Certificate2 c) =>
        string.Join(':', c.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    private static void Write(string path, string pem, UnixFileMode mode)
    {
        // Written beside, then moved over: a start that is cut off never leaves half a file to reuse.
        var temp = path + ".new";
        File.Delete(temp);
        using (var stream = OperatingSystem.IsWindows()
            ? new FileStream(temp, FileMode.CreateNew, FileAccess.Write)
            : new FileStream(temp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(pem);
        }

        File.Move(temp, path, overwrite: true);
    }
}
