using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Tests.Hosting;

/// <summary>Wrong HTTPS, log or phone-trial settings stop the start with a message that says what is wrong and what to do.</summary>
public sealed class HttpsStartupTests : IDisposable
{
    private readonly TestCertificates certificates = new();

    public void Dispose() => certificates.Dispose();

    public static TheoryData<string, string> Cases => new()
    {
        { "missing certificate file", "Https:CertificatePath '{folder}/nothing.pem' does not exist" },
        { "folder instead of file", "is a folder; give the file" },
        { "not a certificate", "is not a certificate: neither PEM (-----BEGIN CERTIFICATE-----) nor a PKCS#12 (.pfx) file" },
        { "certificate signing request", "is not a certificate: it has no -----BEGIN CERTIFICATE----- block" },
        { "damaged certificate", "is not a readable certificate" },
        { "certificate and key swapped", "holds a private key, not a certificate: are Https:CertificatePath and Https:KeyPath swapped?" },
        { "key file holds no key", "No private key: Https:KeyPath" },
        { "no key at all", "No private key: Https:KeyPath is empty" },
        { "key of another certificate", "does not belong to the certificate" },
        { "RSA key beside an ECDSA certificate", "does not belong to the certificate" },
        { "expired", "expired on" },
        { "not yet valid", "is not valid before" },
        { "client certificate", "is not made for TLS servers" },
        { "encrypted key without password", "is encrypted: set Https:Password" },
        { "encrypted key with wrong password", "Https:Password does not decrypt" },
        { "pfx with wrong password", "Https:Password does not open" },
        { "pfx without key", "No private key: the PKCS#12 file" },
        { "https url without certificate", "include https:// but Https:CertificatePath is empty" },
        { "certificate without https url", "Https:CertificatePath is set but none of the server's URLs" },
        { "hsts max-age zero", "Https:HstsMaxAge '00:00:00' must be between" },
        { "log format unknown", "Logging:Format 'xml' must be 'text'" },
        { "phone trial address not an address", "PhoneTrial:Address 'my-laptop' is not an IP address" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_bad_https_setting_fails_the_start_with_a_message_that_says_what_is_wrong(string name, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={Path.Combine(certificates.Folder, "db.sqlite")}",
            ["Bus:Transport"] = "InMemory",
            ["Urls"] = "https://127.0.0.1:0;http://127.0.0.1:0",
        };
        foreach (var (key, value) in Settings(name))
        {
            settings[key] = value;
        }

        using var app = TestApp.WithSettings(settings);
        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var all = ex is OptionsValidationException o ? string.Join(" ", o.Failures) : ex.ToString();
        Assert.Contains(expected.Replace("{folder}", certificates.Folder, StringComparison.Ordinal), all, StringComparison.Ordinal);
    }

    private Dictionary<string, string?> Settings(string name)
    {
        Dictionary<string, string?> Files(string cert, string? key) => new() { ["Https:CertificatePath"] = cert, ["Https:KeyPath"] = key };
        var good = certificates.Make("good");
        switch (name)
        {
            case "missing certificate file":
                return Files(Path.Combine(certificates.Folder, "nothing.pem"), good.KeyPath);
            case "folder instead of file":
                return Files(certificates.Folder, good.KeyPath);
            case "not a certificate":
                return Files(certificates.Write("notes.txt", "hello, I am not a certificate\n"), good.KeyPath);
            case "certificate signing request":
                return Files(certificates.Write("request.csr", "-----BEGIN CERTIFICATE REQUEST-----\nMIIBAA==\n-----END CERTIFICATE REQUEST-----\n"), good.KeyPath);
            case "damaged certificate":
                var pem = File.ReadAllText(good.CertificatePath);
                return Files(certificates.Write("cut.pem", pem[..(pem.Length / 2)] + "\n-----END CERTIFICATE-----\n"), good.KeyPath);
            case "certificate and key swapped":
                return Files(good.KeyPath, good.CertificatePath);
            case "key file holds no key":
                return Files(good.CertificatePath, good.CertificatePath);
            case "no key at all":
                return Files(good.CertificatePath, null);
            case "key of another certificate":
                return Files(good.CertificatePath, certificates.Make("other").KeyPath);
            case "RSA key beside an ECDSA certificate":
                return Files(good.CertificatePath, certificates.Make("rsa", rsa: true).KeyPath);
            case "expired":
                var old = certificates.Make("old", DateTimeOffset.UtcNow.AddDays(-60), DateTimeOffset.UtcNow.AddDays(-1));
                return Files(old.CertificatePath, old.KeyPath);
            case "not yet valid":
                var future = certificates.Make("future", DateTimeOffset.UtcNow.AddDays(2), DateTimeOffset.UtcNow.AddDays(60));
                return Files(future.CertificatePath, future.KeyPath);
            case "client certificate":
                var client = certificates.Make("client", usageOid: "1.3.6.1.5.5.7.3.2");
                return Files(client.CertificatePath, client.KeyPath);
            case "encrypted key without password":
                var locked = certificates.Make("locked", keyPassword: "right");
                return Files(locked.CertificatePath, locked.KeyPath);
            case "encrypted key with wrong password":
                var locked2 = certificates.Make("locked2", keyPassword: "right");
                return new(Files(locked2.CertificatePath, locked2.KeyPath)) { ["Https:Password"] = "wrong" };
            case "pfx with wrong password":
                return new() { ["Https:CertificatePath"] = certificates.Pfx(good, "right"), ["Https:Password"] = "wrong" };
            case "pfx without key":
                return new() { ["Https:CertificatePath"] = certificates.Pfx(good, "pw", withKey: false), ["Https:Password"] = "pw" };
            case "https url without certificate":
                return [];
            case "certificate without https url":
                return new(Files(good.CertificatePath, good.KeyPath)) { ["Urls"] = "http://127.0.0.1:0" };
            case "hsts max-age zero":
                return new(Files(good.CertificatePath, good.KeyPath)) { ["Https:Hsts"] = "true", ["Https:HstsMaxAge"] = "00:00:00" };
            case "log format unknown":
                return new(Files(good.CertificatePath, good.KeyPath)) { ["Logging:Format"] = "xml" };
            case "phone trial address not an address":
                return new(Files(good.CertificatePath, good.KeyPath)) { ["PhoneTrial:Enabled"] = "true", ["PhoneTrial:Address"] = "my-laptop" };
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "No such case.");
        }
    }
}
