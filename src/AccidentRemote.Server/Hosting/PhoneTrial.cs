using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Resources;
using System.Text;
using QRCoder;

namespace AccidentRemote.Server.Hosting;

/// <summary>Where the phone trial listens, and its certificate; registered only with <c>--lan</c>.</summary>
public sealed record PhoneTrialSite(Uri Url, TrialCertificate.Files Certificate);

/// <summary>
/// <c>--lan</c>: the whole service on <c>https://&lt;LAN address&gt;:5443</c> with a certificate it makes, so that a
/// phone on the same Wi-Fi can open the driver page and use its camera (browsers allow the camera over HTTPS
/// only). It sets the server's URL, the <c>Https</c> certificate files and <c>Documents:PublicBaseUrl</c> before
/// anything reads them; the rest of the server runs as always. At start it prints the URL, a QR code of it
/// and what the phone will say about the certificate, in Chinese and English.
/// </summary>
public static class PhoneTrial
{
    public const string Switch = "--lan";

    private static readonly ResourceManager Texts = new("AccidentRemote.Server.Resources.PhoneTrialMessages", typeof(PhoneTrial).Assembly);

    /// <summary><c>--lan</c> becomes <c>--PhoneTrial:Enabled=true</c>; <c>--lan=ADDRESS</c> also sets <c>PhoneTrial:Address</c>.</summary>
    public static string[] ExpandArguments(string[] args) =>
        [.. args.SelectMany(a => a == Switch
            ? [$"--{PhoneTrialOptions.Section}:{nameof(PhoneTrialOptions.Enabled)}=true"]
            : a.StartsWith(Switch + "=", StringComparison.Ordinal)
                ? new[] { $"--{PhoneTrialOptions.Section}:{nameof(PhoneTrialOptions.Enabled)}=true", $"--{PhoneTrialOptions.Section}:{nameof(PhoneTrialOptions.Address)}={a[(Switch.Length + 1)..]}" }
                : [a])];

    /// <summary>Before every other feature: the URL, certificate and public address it sets are read by them.</summary>
    public static IHostApplicationBuilder AddPhoneTrial(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(PhoneTrialOptions.Section);
        var options = section.Get<PhoneTrialOptions>() ?? new PhoneTrialOptions();
        string? problem = null;
        if (options.Enabled)
        {
            try
            {
                var site = Prepare(options, TimeProvider.System.GetUtcNow(), out problem);
                if (site is not null)
                {
                    var url = site.Url.GetLeftPart(UriPartial.Authority);
                    builder.Configuration[WebHostDefaults.ServerUrlsKey] = url;
                    builder.Configuration[$"{HttpsOptions.Section}:{nameof(HttpsOptions.CertificatePath)}"] = site.Certificate.CertificatePath;
                    builder.Configuration[$"{HttpsOptions.Section}:{nameof(HttpsOptions.KeyPath)}"] = site.Certificate.KeyPath;
                    builder.Configuration[$"{HttpsOptions.Section}:{nameof(HttpsOptions.Password)}"] = "";
                    // Never HSTS on a self-signed certificate: the phone would then refuse the page without a way to proceed.
                    builder.Configuration[$"{HttpsOptions.Section}:{nameof(HttpsOptions.Hsts)}"] = "false";
                    builder.Configuration["Documents:PublicBaseUrl"] = url;
                    builder.Services.AddSingleton(site);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problem = $"PhoneTrial:CertificateFolder '{options.CertificateFolder}' cannot hold the trial certificate ({ex.Message}). " +
                    "Point it to a folder the server may write to.";
            }
        }

        builder.Services.AddOptions<PhoneTrialOptions>()
            .Bind(section)
            .Validate(_ => problem is null, problem ?? "")
            .ValidateOnStart();
        return builder;
    }

    private static PhoneTrialSite? Prepare(PhoneTrialOptions o, DateTimeOffset now, out string? problem)
    {
        problem = null;
        IPAddress? address;
        if (!string.IsNullOrWhiteSpace(o.Address))
        {
            if (!IPAddress.TryParse(o.Address.Trim(), out address))
            {
                problem = $"PhoneTrial:Address '{o.Address}' is not an IP address (write e.g. --lan=192.168.1.20).";
                return null;
            }
        }
        else if ((address = LanAddress()) is null)
        {
            problem = "PhoneTrial: this computer has no network interface with an IPv4 address that is up (other than loopback). " +
                "Connect it to the Wi-Fi the phone uses, or name the address with --lan=192.168.1.20.";
            return null;
        }

        if (o.Port is < 1 or > 65535)
        {
            problem = $"PhoneTrial:Port {o.Port} must be a TCP port (1-65535).";
            return null;
        }

        var certificate = TrialCertificate.LoadOrCreate(o.CertificateFolder, address, now);
        return new PhoneTrialSite(new UriBuilder(Uri.UriSchemeHttps, address.ToString(), o.Port).Uri, certificate);
    }

    /// <summary>The first IPv4 address of an interface that is up, other than loopback and link-local (169.254.x.x, no DHCP answer).</summary>
    public static IPAddress? LanAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(u => u.Address))
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a) && a.GetAddressBytes() is not [169, 254, ..]);

    /// <summary>What the person at the terminal reads: the URL, its QR code and the steps on the phone, in Chinese, then English.</summary>
    public static string Banner(PhoneTrialSite site, bool colour)
    {
        var url = site.Url.GetLeftPart(UriPartial.Authority) + "/";
        var c = site.Certificate;
        var b = new StringBuilder();
        b.AppendLine();
        b.AppendLine(Qr(url, colour));
        b.AppendLine(CultureInfo.InvariantCulture, $"  {url}");
        foreach (var culture in new[] { "zh-CN", "en" })
        {
            var ci = CultureInfo.GetCultureInfo(culture);
            string T(string name, params object[] args) =>
                string.Format(ci, Texts.GetString(name, ci) ?? throw new InvalidOperationException($"Missing text {name} ({culture})."), args);
            b.AppendLine();
            b.AppendLine(CultureInfo.InvariantCulture, $"  {T("Title")}");
            b.AppendLine(CultureInfo.InvariantCulture, $"   1. {T("SameWifi")}");
            b.AppendLine(CultureInfo.InvariantCulture, $"   2. {T("Scan", url)}");
            b.AppendLine(CultureInfo.InvariantCulture, $"   3. {T("Warning", site.Url.Host)}");
            b.AppendLine(CultureInfo.InvariantCulture, $"   4. {T("WhyHttps")}");
            b.AppendLine(CultureInfo.InvariantCulture, $"   5. {T("OwnBrowser")}");
            b.AppendLine(CultureInfo.InvariantCulture, $"   6. {T("Console", url + "console")}");
            b.AppendLine(CultureInfo.InvariantCulture, $"   {T(c.Created ? "CertificateMade" : "CertificateKept", c.CertificatePath, c.Sha256Fingerprint, c.NotAfter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))}");
            b.AppendLine(CultureInfo.InvariantCulture, $"   {T("Unreachable", site.Url.Port, Switch)}");
        }

        return b.ToString();
    }

    /// <summary>
    /// Two rows of modules per character line (▀ ▄ █). On a terminal it is drawn black on white whatever the
    /// terminal's colours (ANSI), since phones read dark modules on a light ground most reliably. Into a file
    /// or a pipe it is plain text for a dark terminal, as QRCoder draws it: the blocks are the light modules.
    /// </summary>
    private static string Qr(string url, bool colour)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(url, QRCodeGenerator.ECCLevel.M);
        using var ascii = new AsciiQRCode(data);
        var lines = ascii.GetGraphicSmall(drawQuietZones: true, invert: colour).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join('\n', lines.Select(l => colour ? $"  \u001b[30;107m{l}\u001b[0m" : "  " + l));
    }
}
