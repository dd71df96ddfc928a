using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using AccidentRemote.Tests.Infrastructure;
using QRCoder;
using ZXing;
using ZXing.Common;

namespace AccidentRemote.Tests.Hosting;

/// <summary>
/// <c>--lan</c>, as a person trying the service on a phone runs it: the real server process, HTTPS on the
/// given address (a loopback one here, 127.0.0.2: tests talk to loopback only) with a certificate it made.
/// </summary>
public sealed class PhoneTrialTests : IDisposable
{
    private const string Address = "127.0.0.2";
    private readonly string folder = Directory.CreateTempSubdirectory("ar-phone-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task With_lan_the_server_serves_https_on_the_address_prints_its_url_and_qr_and_reuses_its_certificate_next_time()
    {
        var port = NodeProcess.FreePort();
        var url = $"https://{Address}:{port}/";
        var environment = new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = $"Data Source={Path.Combine(folder, "trial.db")}",
            ["Evidence:StoragePath"] = Path.Combine(folder, "evidence"),
            ["PhoneTrial:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PhoneTrial:CertificateFolder"] = Path.Combine(folder, "phone-trial"),
        };
        var certFile = Path.Combine(folder, "phone-trial", "cert.pem");

        string firstThumbprint;
        await using (var server = ServerProcess.Start(environment, $"--lan={Address}"))
        {
            // The banner's last line: by then the URL, the QR code and both languages' steps are out.
            await server.WaitForAsync("=ADDRESS.", "the phone trial's banner");
            var output = server.Output;
            Assert.Contains(url, output, StringComparison.Ordinal);
            Assert.Equal(url, DecodeQr(server.Lines));
            Assert.Contains("您的连接不是私密连接", output, StringComparison.Ordinal);
            Assert.Contains("Your connection is not private", output, StringComparison.Ordinal);
            Assert.Contains("camera", output, StringComparison.Ordinal);
            Assert.Contains("摄像头", output, StringComparison.Ordinal);
            Assert.Contains("Made the certificate", output, StringComparison.Ordinal);

            using var made = X509Certificate2.CreateFromPem(File.ReadAllText(certFile));
            var san = made.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
            Assert.Contains(IPAddress.Parse(Address), san.EnumerateIPAddresses());

            var (served, client) = Trusting(made);
            using (client)
            {
                var ready = await client.GetAsync(new Uri(url + "health/ready"));
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
                Assert.Equal(made.Thumbprint, Assert.Single(served.Distinct()));

                // The join QR (and every link the server makes) carries the trial's HTTPS address.
                var report = await client.PostJsonAsync(url + "api/cases", Api.Report(), 201);
                using var qrRequest = new HttpRequestMessage(HttpMethod.Get, $"{url}api/cases/{report.GetProperty("caseId").GetString()}/join-qr.svg");
                qrRequest.Headers.Authorization = new("Bearer", report.GetProperty("partyToken").GetString());
                var svg = await (await client.SendAsync(qrRequest)).Content.ReadAsStringAsync();
                using var generator = new QRCodeGenerator();
                using var data = generator.CreateQrCode($"{url}join/{report.GetProperty("joinCode").GetString()}#{report.GetProperty("joinSecret").GetString()}", QRCodeGenerator.ECCLevel.M);
                Assert.Equal(new SvgQRCode(data).GetGraphic(8), svg);
            }

            firstThumbprint = made.Thumbprint;
            await server.StopAsync();
        }

        var certText = await File.ReadAllTextAsync(certFile);
        await using (var again = ServerProcess.Start(environment, $"--lan={Address}"))
        {
            await again.WaitForAsync("=ADDRESS.", "the second start's banner");
            Assert.Contains("Reusing the certificate", again.Output, StringComparison.Ordinal);
            Assert.Equal(certText, await File.ReadAllTextAsync(certFile));
            using var kept = X509Certificate2.CreateFromPem(File.ReadAllText(certFile));
            var (served, client) = Trusting(kept);
            using (client)
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(url + "health/live"))).StatusCode);
            }

            Assert.Equal(firstThumbprint, Assert.Single(served.Distinct()));
        }
    }

    /// <summary>Trusts exactly this certificate as a root, and requires the name (the IP address) to match, as a phone that accepted it would.</summary>
    private static (List<string> Served, HttpClient Client) Trusting(X509Certificate2 trusted)
    {
        var served = new List<string>();
        var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                {
                    if (cert is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(trusted);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    var leaf = X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
                    lock (served)
                    {
                        served.Add(leaf.Thumbprint);
                    }

                    return chain.Build(leaf);
                },
            },
        });
        return (served, client);
    }

    /// <summary>
    /// Reads the QR code back from the terminal text, as a phone camera would from the screen: the banner is
    /// written for a dark terminal (redirected output has no colours), so a block is a light module, a space a dark one.
    /// </summary>
    private static string? DecodeQr(IReadOnlyList<string> lines)
    {
        // Each line is indented by two spaces (terminal background, not part of the code).
        var block = lines.SkipWhile(l => !IsQrLine(l)).TakeWhile(IsQrLine).Select(l => l[2..]).ToList();
        Assert.True(block.Count > 10, "No QR code block in the output.");
        const int scale = 4, margin = 8;
        var columns = block.Max(l => l.Length);
        var width = (columns * scale) + (2 * margin);
        var height = (block.Count * 2 * scale) + (2 * margin);
        var gray = Enumerable.Repeat((byte)255, width * height).ToArray();
        for (var row = 0; row < block.Count; row++)
        {
            for (var col = 0; col < columns; col++)
            {
                var c = col < block[row].Length ? block[row][col] : ' ';
                bool[] light = c switch { '█' => [true, true], '▀' => [true, false], '▄' => [false, true], _ => [false, false] };
                for (var half = 0; half < 2; half++)
                {
                    // The last line's lower half is below the code: paper, not a module.
                    if (light[half] || (row == block.Count - 1 && half == 1))
                    {
                        continue;
                    }

                    for (var y = 0; y < scale; y++)
                    {
                        for (var x = 0; x < scale; x++)
                        {
                            gray[((margin + (((row * 2) + half) * scale) + y) * width) + margin + (col * scale) + x] = 0;
                        }
                    }
                }
            }
        }

        var reader = new BarcodeReaderGeneric { Options = new DecodingOptions { PossibleFormats = [BarcodeFormat.QR_CODE], TryHarder = true } };
        return reader.Decode(gray, width, height, RGBLuminanceSource.BitmapFormat.Gray8)?.Text;
    }

    private static bool IsQrLine(string line) =>
        line.Contains('█', StringComparison.Ordinal) && line.All(c => c is '█' or '▀' or '▄' or ' ');
}
