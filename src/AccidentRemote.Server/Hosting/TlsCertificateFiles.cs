using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AccidentRemote.Server.Hosting;

/// <summary>A server certificate with its private key, and the intermediates to send along.</summary>
public sealed record TlsCertificate(X509Certificate2 Certificate, X509Certificate2Collection Chain) : IDisposable
{
    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var c in Chain)
        {
            c.Dispose();
        }
    }
}

/// <summary>The certificate files could not be used; the message names the setting and what to do.</summary>
public sealed class TlsCertificateException(string message) : Exception(message);

/// <summary>
/// Reads <see cref="HttpsOptions"/>' files and says exactly what is wrong with them: missing, unreadable,
/// not a certificate, no private key, a key that belongs to another certificate, a wrong password,
/// not yet valid or expired, not made for TLS servers.
/// </summary>
public static class TlsCertificateFiles
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string Cert = "Https:CertificatePath";
    private const string Key = "Https:KeyPath";

    public static TlsCertificate Load(HttpsOptions o, DateTimeOffset now)
    {
        var certPath = o.CertificatePath ?? throw new TlsCertificateException($"{Cert} is empty.");
        var certBytes = Read(Cert, certPath);
        var certText = System.Text.Encoding.ASCII.GetString(certBytes);
        var tls = certText.Contains("-----BEGIN", StringComparison.Ordinal)
            ? FromPem(o, certPath, certText)
            : FromPkcs12(o, certPath, certBytes);
        try
        {
            Check(tls.Certificate, certPath, now);
        }
        catch
        {
            tls.Dispose();
            throw;
        }

        return tls;
    }

    private static TlsCertificate FromPem(HttpsOptions o, string certPath, string certText)
    {
        var labels = Labels(certText);
        if (!labels.Contains("CERTIFICATE"))
        {
            throw new TlsCertificateException(certText.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
                ? $"{Cert} '{certPath}' is not a readable certificate: its -----BEGIN CERTIFICATE----- block is damaged (cut short or edited?). Copy the file again."
                : labels.Any(IsKeyLabel)
                ? $"{Cert} '{certPath}' holds a private key, not a certificate: are {Cert} and {Key} swapped? {Cert} is the certificate (fullchain.pem), {Key} its key (privkey.pem)."
                : $"{Cert} '{certPath}' is not a certificate: it has no -----BEGIN CERTIFICATE----- block. Point it to the PEM certificate (fullchain.pem) or a .pfx file.");
        }

        var certs = new X509Certificate2Collection();
        try
        {
            certs.ImportFromPem(certText);
        }
        catch (CryptographicException ex)
        {
            throw new TlsCertificateException($"{Cert} '{certPath}' is not a readable certificate ({ex.Message}). Was the file cut short or edited?");
        }

        string keyText, keyPath, keySetting;
        if (string.IsNullOrWhiteSpace(o.KeyPath))
        {
            (keyText, keyPath, keySetting) = (certText, certPath, Cert);
            if (!labels.Any(IsKeyLabel))
            {
                Dispose(certs);
                throw new TlsCertificateException($"No private key: {Key} is empty and {Cert} '{certPath}' holds only the certificate. Set {Key} to the private key's PEM file (privkey.pem).");
            }
        }
        else
        {
            keyPath = o.KeyPath;
            keySetting = Key;
            keyText = System.Text.Encoding.ASCII.GetString(Read(Key, keyPath));
            var keyLabels = Labels(keyText);
            if (!keyLabels.Any(IsKeyLabel))
            {
                Dispose(certs);
                throw new TlsCertificateException(keyLabels.Contains("CERTIFICATE")
                    ? $"No private key: {Key} '{keyPath}' holds a certificate, not a private key: are {Cert} and {Key} swapped?"
                    : $"No private key: {Key} '{keyPath}' has no -----BEGIN PRIVATE KEY----- block. Point it to the certificate's PEM private key (privkey.pem).");
            }
        }

        var leaf = certs[0];
        try
        {
            var encrypted = Labels(keyText).Contains("ENCRYPTED PRIVATE KEY");
            if (encrypted && string.IsNullOrEmpty(o.Password))
            {
                throw new TlsCertificateException($"The private key in {keySetting} '{keyPath}' is encrypted: set Https:Password to its password.");
            }

            CheckKeyMatches(leaf, keyText, encrypted ? o.Password : null, keySetting, keyPath, certPath);
            var withKey = encrypted
                ? X509Certificate2.CreateFromEncryptedPem(leaf.ExportCertificatePem(), keyText, o.Password)
                : X509Certificate2.CreateFromPem(leaf.ExportCertificatePem(), keyText);
            var chain = new X509Certificate2Collection();
            for (var i = 1; i < certs.Count; i++)
            {
                chain.Add(certs[i]);
            }

            leaf.Dispose();
            return new TlsCertificate(withKey, chain);
        }
        catch
        {
            Dispose(certs);
            throw;
        }
    }

    /// <summary>Compares the key's public half with the certificate's, so that the message can say "does not match" rather than a library's wording.</summary>
    private static void CheckKeyMatches(X509Certificate2 leaf, string keyText, string? password, string keySetting, string keyPath, string certPath)
    {
        var mismatch = $"The private key in {keySetting} '{keyPath}' does not belong to the certificate in {Cert} '{certPath}' " +
            $"(subject {leaf.Subject}). Use the key file that was made together with this certificate.";
        try
        {
            if (leaf.GetRSAPublicKey() is { } rsaPublic)
            {
                using (rsaPublic)
                using (var rsa = RSA.Create())
                {
                    Import(rsa, keyText, password);
                    var a = rsa.ExportParameters(false);
                    var b = rsaPublic.ExportParameters(false);
                    if (!a.Modulus.AsSpan().SequenceEqual(b.Modulus) || !a.Exponent.AsSpan().SequenceEqual(b.Exponent))
                    {
                        throw new TlsCertificateException(mismatch);
                    }
                }
            }
            else if (leaf.GetECDsaPublicKey() is { } ecPublic)
            {
                using (ecPublic)
                using (var ec = ECDsa.Create())
                {
                    Import(ec, keyText, password);
                    var a = ec.ExportParameters(false).Q;
                    var b = ecPublic.ExportParameters(false).Q;
                    if (!a.X.AsSpan().SequenceEqual(b.X) || !a.Y.AsSpan().SequenceEqual(b.Y))
                    {
                        throw new TlsCertificateException(mismatch);
                    }
                }
            }
            else
            {
                throw new TlsCertificateException($"The certificate in {Cert} '{certPath}' has a key type other than RSA or ECDSA; use an RSA or ECDSA (P-256) certificate.");
            }
        }
        catch (CryptographicException) when (password is not null)
        {
            throw new TlsCertificateException($"Https:Password does not decrypt the private key in {keySetting} '{keyPath}' (or the key is not of the certificate's type): check the password.");
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // A key of another type (an RSA key beside an ECDSA certificate) does not even import.
            throw new TlsCertificateException(mismatch);
        }
    }

    private static void Import(AsymmetricAlgorithm key, string pem, string? password)
    {
        if (password is null)
        {
            key.ImportFromPem(pem);
        }
        else
        {
            key.ImportFromEncryptedPem(pem, password);
        }
    }

    private static TlsCertificate FromPkcs12(HttpsOptions o, string path, byte[] bytes)
    {
        if (ContentType(bytes) != X509ContentType.Pkcs12)
        {
            throw new TlsCertificateException($"{Cert} '{path}' is not a certificate: neither PEM (-----BEGIN CERTIFICATE-----) nor a PKCS#12 (.pfx) file.");
        }

        X509Certificate2Collection all;
        try
        {
            all = X509CertificateLoader.LoadPkcs12Collection(bytes, o.Password);
        }
        catch (CryptographicException)
        {
            throw new TlsCertificateException(string.IsNullOrEmpty(o.Password)
                ? $"{Cert} '{path}' is a password-protected PKCS#12 (.pfx) file: set Https:Password."
                : $"Https:Password does not open {Cert} '{path}' (a PKCS#12 file): check the password.");
        }

        var leaf = all.FirstOrDefault(c => c.HasPrivateKey);
        if (leaf is null)
        {
            Dispose(all);
            throw new TlsCertificateException($"No private key: the PKCS#12 file {Cert} '{path}' holds certificates only. Export it again with the private key.");
        }

        var chain = new X509Certificate2Collection();
        foreach (var c in all.Where(c => !ReferenceEquals(c, leaf)))
        {
            chain.Add(c);
        }

        return new TlsCertificate(leaf, chain);
    }

    private static X509ContentType ContentType(byte[] bytes)
    {
        try
        {
            return X509Certificate2.GetCertContentType(bytes);
        }
        catch (CryptographicException)
        {
            return X509ContentType.Unknown;
        }
    }

    private static void Check(X509Certificate2 c, string path, DateTimeOffset now)
    {
        if (now.UtcDateTime > c.NotAfter.ToUniversalTime())
        {
            throw new TlsCertificateException($"The certificate in {Cert} '{path}' (subject {c.Subject}) expired on {c.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC. " +
                "Renew it (e.g. certbot renew) and restart the server.");
        }

        if (now.UtcDateTime < c.NotBefore.ToUniversalTime())
        {
            throw new TlsCertificateException($"The certificate in {Cert} '{path}' (subject {c.Subject}) is not valid before {c.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC. " +
                "Check this machine's clock, or wait.");
        }

        if (c.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } eku
            && !eku.EnhancedKeyUsages.Cast<Oid>().Any(u => u.Value == ServerAuthOid))
        {
            throw new TlsCertificateException($"The certificate in {Cert} '{path}' (subject {c.Subject}) is not made for TLS servers (its extended key usage lacks serverAuth). " +
                "Use a server certificate.");
        }
    }

    private static byte[] Read(string setting, string path)
    {
        if (Directory.Exists(path))
        {
            throw new TlsCertificateException($"{setting} '{path}' is a folder; give the file (e.g. {(setting == Cert ? "/etc/letsencrypt/live/<site>/fullchain.pem" : "/etc/letsencrypt/live/<site>/privkey.pem")}).");
        }

        if (!File.Exists(path))
        {
            throw new TlsCertificateException($"{setting} '{path}' does not exist (looked for {Path.GetFullPath(path)}).");
        }

        try
        {
            return File.ReadAllBytes(path);
        }
        catch (UnauthorizedAccessException)
        {
            throw new TlsCertificateException($"{setting} '{path}' cannot be read by the server's user ({Environment.UserName}). " +
                "Give that user read access (e.g. a group that may read it: chgrp + chmod 640).");
        }
        catch (IOException ex)
        {
            throw new TlsCertificateException($"{setting} '{path}' cannot be read: {ex.Message}");
        }
    }

    private static HashSet<string> Labels(string text)
    {
        var labels = new HashSet<string>(StringComparer.Ordinal);
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            labels.Add(rest[fields.Label].ToString());
            rest = rest[fields.Location.End..];
        }

        return labels;
    }

    private static bool IsKeyLabel(string label) => label.EndsWith("PRIVATE KEY", StringComparison.Ordinal);

    private static void Dispose(X509Certificate2Collection certs)
    {
        foreach (var c in certs)
        {
            c.Dispose();
        }
    }
}
