using System.Text.Json;
using AccidentRemote.Server.Data;
using AccidentRemote.Server.Kpis;
using AccidentRemote.Server.Web;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AccidentRemote.Server.Hosting;

/// <summary>Cross-cutting web plumbing: errors as ProblemDetails, JSON, OpenAPI, localisation, health.</summary>
public static class HostingExtensions
{
    public static readonly string[] Cultures = ["zh-CN", "en"];

    public static IHostApplicationBuilder AddHosting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.AddExceptionHandler<DatabaseUnavailableExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase);
        builder.Services.AddOpenApi();
        builder.Services.AddLocalization(o => o.ResourcesPath = "Resources");
        builder.Services.AddRequestLocalization(o =>
        {
            o.SetDefaultCulture(Cultures[0]).AddSupportedCultures(Cultures).AddSupportedUICultures(Cultures);
            o.FallBackToParentUICultures = true;
        });
        return builder;
    }

    public static WebApplication UseHosting(this WebApplication app)
    {
        // First: every later step (limits, logs, the request's scheme) sees the real client. Only
        // Auth:TrustedProxies are believed (AuthExtensions.ConfigureForwardedHeaders).
        app.UseForwardedHeaders();
        // Then HTTP to HTTPS and HSTS (Https:*), on the scheme the forwarded-headers step decided.
        app.UseHttps();
        app.UseDefaultHeaders();
        app.UseMetricsPort();
        // Before the error handlers: a refusal they write is in the request's language too.
        app.UseRequestLocalization();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.MapOpenApi();
        return app;
    }

    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains("ready"),
            ResponseWriter = WriteHealth,
        }).AllowAnonymous();
        return app;
    }

    /// <summary>
    /// Once listening: where to open the pages and the API, and with <c>--lan</c> the phone trial's URL, QR code
    /// and steps. Printed, not logged: it is for the person at the terminal. With a JSON console log it is one
    /// log entry instead (a collector parses every line), without the QR code.
    /// </summary>
    public static void PrintStartBanner(this WebApplication app) =>
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var url = addresses.FirstOrDefault()?.TrimEnd('/') ?? "http://127.0.0.1:5080";
            var db = app.Services.GetRequiredService<Db>().Describe();
            var fonts = Documents.DocumentOptions.FontProblem(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Documents.DocumentOptions>>().Value);
            var phone = app.Services.GetService<PhoneTrialSite>();
            if (LogExtensions.ConsoleIsJson(app.Services))
            {
                app.Logger.LogInformation("AccidentRemote is running: driver page {DriverPage}, officer console {Console}, data {Data}. {Fonts}",
                    url + "/", url + "/console", db, fonts is null ? "" : "Documents cannot be made yet: " + fonts);
                if (phone is not null)
                {
                    app.Logger.LogInformation("Phone trial on {Url} with the self-signed certificate {Certificate} (SHA-256 {Fingerprint})",
                        phone.Url, phone.Certificate.CertificatePath, phone.Certificate.Sha256Fingerprint);
                }

                return;
            }

            Console.WriteLine($"""

                AccidentRemote is running.
                  Driver page:    {url}/
                  Officer console:{url}/console
                  API (OpenAPI):  {url}/openapi/v1.json
                  Health:         {url}/health/ready
                  Data:           {db}
                {(fonts is null ? "" : "  Documents:      cannot be made yet. " + fonts)}
                """);
            if (phone is not null)
            {
                Console.WriteLine(PhoneTrial.Banner(phone, colour: !Console.IsOutputRedirected));
            }
        });

    private static Task WriteHealth(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        });
    }
}

/// <summary>Turns unreadable request bodies into a 400 ProblemDetails that says what is wrong.</summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        var detail = bad.InnerException is JsonException json
            ? json.Path is null or "$"
                ? "The request body is not valid JSON. Send a JSON object with Content-Type: application/json."
                : $"The value at {json.Path} is not of the expected type: numbers for coordinates and counts, true/false for yes/no answers, ISO-8601 for times (2026-11-28T09:30:00+08:00)."
            : bad.Message;
        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = bad.StatusCode,
                Title = ServerText.Get("Request.Unreadable.title"),
                Detail = ServerText.Get("Request.Unreadable.detail", detail),
                Extensions = { [Problems.CodeExtension] = "Request.Unreadable" },
            },
        });
    }
}

/// <summary>
/// The database cannot be reached (a restart, a network cut): answer 503 with Retry-After so that
/// pages and clients try again, instead of a bare 500. Nothing was written: every change is one transaction.
/// </summary>
internal sealed class DatabaseUnavailableExceptionHandler(IProblemDetailsService problems, ILogger<DatabaseUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!Db.IsTransient(exception))
        {
            return false;
        }

        logger.LogWarning("Database unavailable: {Error}", exception.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "5";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = ServerText.Get("Unavailable.title"),
                Detail = ServerText.Get("Unavailable.detail"),
                Extensions = { [Problems.CodeExtension] = "Unavailable" },
            },
        });
    }
}
