using AccidentRemote.Server.Kpis;
using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Hosting;

/// <summary>
/// HTTPS from certificate files (<see cref="HttpsOptions"/>): Kestrel presents the certificate on every
/// <c>https://</c> address, plain HTTP is redirected (the scheme a trusted proxy forwarded counts, so a
/// proxy that terminates TLS causes no loop), and HSTS is sent when asked for.
/// </summary>
public static class HttpsExtensions
{
    public static IHostApplicationBuilder AddHttps(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HttpsOptions>()
            .Bind(builder.Configuration.GetSection(HttpsOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<HttpsOptions>, HttpsOptionsValidator>();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<HttpsOptions>, TimeProvider>((kestrel, https, clock) =>
        {
            if (https.Value.Enabled)
            {
                // Read once here, for the server's lifetime; a renewed certificate is picked up at the next start.
                var tls = TlsCertificateFiles.Load(https.Value, clock.GetUtcNow());
                kestrel.ConfigureHttpsDefaults(o =>
                {
                    o.ServerCertificate = tls.Certificate;
                    o.ServerCertificateChain = tls.Chain;
                });
            }
        });
        builder.Services.AddOptions<HttpsRedirectionOptions>().Configure<IOptions<HttpsOptions>>((redirect, https) =>
            redirect.HttpsPort = https.Value.RedirectPort);
        builder.Services.AddOptions<HstsOptions>().Configure<IOptions<HttpsOptions>>((hsts, https) =>
            hsts.MaxAge = https.Value.HstsMaxAge);
        return builder;
    }

    /// <summary>
    /// After the forwarded headers (so a request a trusted proxy received over HTTPS counts as HTTPS) and
    /// before anything answers. Not redirected: the health probes (a load balancer probes over HTTP) and
    /// the metrics port (plain HTTP for Prometheus, see <see cref="KpiOptions.MetricsPort"/>).
    /// </summary>
    public static WebApplication UseHttps(this WebApplication app)
    {
        var https = app.Services.GetRequiredService<IOptions<HttpsOptions>>().Value;
        if (https.Hsts)
        {
            // The framework's middleware sends the header only on HTTPS and never to localhost, 127.0.0.1 or [::1].
            app.UseHsts();
        }

        if (https.Enabled)
        {
            var metricsPort = app.Services.GetRequiredService<IOptions<KpiOptions>>().Value.MetricsPort;
            app.UseWhen(
                http => !http.Request.Path.StartsWithSegments("/health") && http.Connection.LocalPort != metricsPort,
                redirect => redirect.UseHttpsRedirection());
        }

        return app;
    }

    /// <summary>Whether the server's URLs (<c>Urls</c>, <c>--urls</c>, <c>ASPNETCORE_URLS</c>) include an <c>https://</c> one.</summary>
    internal static bool ListensOnHttps(IConfiguration configuration) =>
        (configuration[WebHostDefaults.ServerUrlsKey] ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Any(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
}

/// <summary>Reads the certificate files at start and says what is wrong with them, and with the other Https settings.</summary>
internal sealed class HttpsOptionsValidator(IConfiguration configuration, TimeProvider clock) : IValidateOptions<HttpsOptions>
{
    private static readonly TimeSpan MaxHstsAge = TimeSpan.FromDays(730);

    public ValidateOptionsResult Validate(string? name, HttpsOptions o)
    {
        var errors = new List<string>();
        var urls = configuration[WebHostDefaults.ServerUrlsKey] ?? "(none)";
        if (o.Enabled)
        {
            try
            {
                using var _ = TlsCertificateFiles.Load(o, clock.GetUtcNow());
            }
            catch (TlsCertificateException ex)
            {
                errors.Add(ex.Message);
            }

            if (!HttpsExtensions.ListensOnHttps(configuration))
            {
                errors.Add($"Https:CertificatePath is set but none of the server's URLs ('{urls}') is https://. " +
                    "Add one to Urls (or --urls, ASPNETCORE_URLS), e.g. https://0.0.0.0:443;http://0.0.0.0:80.");
            }
        }
        else
        {
            if (!string.IsNullOrWhiteSpace(o.KeyPath))
            {
                errors.Add("Https:KeyPath is set but Https:CertificatePath is empty: set both (Kestrel serves HTTPS), or neither (TLS ends at the proxy).");
            }

            if (HttpsExtensions.ListensOnHttps(configuration))
            {
                errors.Add($"The server's URLs ('{urls}') include https:// but Https:CertificatePath is empty. " +
                    "Set Https:CertificatePath and Https:KeyPath to the certificate's PEM files, or listen on http:// behind a proxy that terminates TLS.");
            }
        }

        if (o.HstsMaxAge < TimeSpan.FromMinutes(1) || o.HstsMaxAge > MaxHstsAge)
        {
            errors.Add($"Https:HstsMaxAge '{o.HstsMaxAge}' must be between 00:01:00 and 730.00:00:00 (two years); 365.00:00:00 is usual.");
        }

        if (o.RedirectPort is { } port && port is < 1 or > 65535)
        {
            errors.Add($"Https:RedirectPort {port} must be a TCP port (1-65535), or empty to redirect to the server's own https:// port.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
