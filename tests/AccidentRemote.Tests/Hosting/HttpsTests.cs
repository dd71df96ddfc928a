using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Hosting;

/// <summary>Kestrel serves HTTPS from certificate files on a real port; HTTP is redirected; HSTS only when set, only over HTTPS.</summary>
public sealed class HttpsTests : IDisposable
{
    private readonly TestCertificates certificates = new();

    public void Dispose() => certificates.Dispose();

    /// <summary>The app on real ports: https:// and http:// on <paramref name="host"/>, each on a port the OS picks (a metrics port comes after them).</summary>
    private static (TestApp App, Uri Https, Uri Http) Start(Dictionary<string, string?> settings, string host = "127.0.0.1")
    {
        settings["Urls"] = $"https://{host}:0;http://{host}:0";
        var app = TestApp.Embedded(extra: settings);
        app.UseKestrel();
        app.StartServer();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        return (app, addresses.Single(a => a.Scheme == "https"), addresses.First(a => a.Scheme == "http"));
    }

    /// <summary>A client that trusts exactly this certificate, and checks the name in it, as a browser would.</summary>
    private static HttpClient Trusting(X509Certificate2 expected, List<X509Certificate2>? seen = null) =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                {
                    if (cert is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                    {
                        return false;
                    }

                    var served = X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
                    seen?.Add(served);
                    return served.Thumbprint == expected.Thumbprint;
                },
            },
        });

    [Fact]
    public async Task Https_answers_with_the_certificate_from_the_files_and_plain_http_is_redirected_to_it()
    {
        var pair = certificates.Make("served");
        var (app, https, http) = Start(new() { ["Https:CertificatePath"] = pair.CertificatePath, ["Https:KeyPath"] = pair.KeyPath });
        using var _ = app;
        var seen = new List<X509Certificate2>();
        using var client = Trusting(pair.Certificate, seen);

        var page = await client.GetAsync(new Uri(https, "/"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(pair.Certificate.Thumbprint, Assert.Single(seen.DistinctBy(c => c.Thumbprint)).Thumbprint);

        var redirect = await client.GetAsync(new Uri(http, "/console?x=1"));
        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
        Assert.Equal(new Uri($"https://127.0.0.1:{https.Port}/console?x=1"), redirect.Headers.Location);
        // A load balancer probes health over plain HTTP: answered, not redirected.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(http, "/health/ready"))).StatusCode);
    }

    [Fact]
    public async Task A_pfx_file_with_a_password_serves_https_too()
    {
        var pair = certificates.Make("pfx");
        var pfx = certificates.Pfx(pair, "s3cret");
        var (app, https, _) = Start(new() { ["Https:CertificatePath"] = pfx, ["Https:Password"] = "s3cret" });
        using var _ = app;
        using var client = Trusting(pair.Certificate);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(https, "/health/live"))).StatusCode);
    }

    [Fact]
    public async Task Hsts_is_sent_over_https_when_set_never_over_plain_http_nor_to_localhost()
    {
        var pair = certificates.Make("hsts");
        // 127.0.0.2: the framework never sends HSTS to localhost, 127.0.0.1 or [::1].
        var (app, https, http) = Start(new()
        {
            ["Https:CertificatePath"] = pair.CertificatePath,
            ["Https:KeyPath"] = pair.KeyPath,
            ["Https:Hsts"] = "true",
            ["Https:HstsMaxAge"] = "180.00:00:00",
        }, "127.0.0.2");
        using var _ = app;
        using var client = Trusting(pair.Certificate);

        var secure = await client.GetAsync(new Uri(https, "/"));
        Assert.Equal("max-age=15552000", string.Join(",", secure.Headers.GetValues("Strict-Transport-Security")));
        var plain = await client.GetAsync(new Uri(http, "/health/live"));
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"), "HSTS over plain HTTP");
        Assert.False((await client.GetAsync(new Uri(http, "/"))).Headers.Contains("Strict-Transport-Security"), "HSTS on the redirect");
        using var local = new HttpRequestMessage(HttpMethod.Get, new Uri(https, "/"));
        local.Headers.Host = "localhost";
        Assert.False((await client.SendAsync(local)).Headers.Contains("Strict-Transport-Security"), "HSTS to localhost");
    }

    [Fact]
    public async Task Without_the_setting_no_hsts_is_sent()
    {
        var pair = certificates.Make("nohsts");
        var (app, https, _) = Start(new() { ["Https:CertificatePath"] = pair.CertificatePath, ["Https:KeyPath"] = pair.KeyPath }, "127.0.0.2");
        using var _ = app;
        using var client = Trusting(pair.Certificate);
        var secure = await client.GetAsync(new Uri(https, "/"));
        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
        Assert.False(secure.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_a_request_it_received_over_https_is_not_redirected_and_no_one_else_is_believed()
    {
        var pair = certificates.Make("proxied");
        var settings = new Dictionary<string, string?> { ["Https:CertificatePath"] = pair.CertificatePath, ["Https:KeyPath"] = pair.KeyPath };
        async Task<HttpResponseMessage> Forwarded(Uri http, string proto)
        {
            using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(http, "/"));
            request.Headers.Add("X-Forwarded-Proto", proto);
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
            return await client.SendAsync(request);
        }

        var (trusting, _, trustingHttp) = Start(new(settings) { ["Auth:TrustedProxies:0"] = "127.0.0.1" });
        using (trusting)
        {
            // nginx terminated TLS and says so: no redirect, so no loop.
            Assert.Equal(HttpStatusCode.OK, (await Forwarded(trustingHttp, "https")).StatusCode);
            // nginx received plain HTTP: redirected like any plain request.
            Assert.Equal(HttpStatusCode.TemporaryRedirect, (await Forwarded(trustingHttp, "http")).StatusCode);
        }

        var (other, _, otherHttp) = Start(new(settings) { ["Auth:TrustedProxies:0"] = "10.0.0.5" });
        using (other)
        {
            // Anyone else writing the header is not believed.
            Assert.Equal(HttpStatusCode.TemporaryRedirect, (await Forwarded(otherHttp, "https")).StatusCode);
        }
    }

    [Fact]
    public async Task The_metrics_port_stays_plain_http_and_is_not_redirected()
    {
        var pair = certificates.Make("metrics");
        var metricsPort = NodeProcess.FreePort();
        var (app, https, _) = Start(new()
        {
            ["Https:CertificatePath"] = pair.CertificatePath,
            ["Https:KeyPath"] = pair.KeyPath,
            ["Kpis:MetricsPort"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var _ = app;
        using var client = Trusting(pair.Certificate);
        var scrape = await client.GetAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Contains("# TYPE", await scrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(https, "/health/live"))).StatusCode);
    }
}
