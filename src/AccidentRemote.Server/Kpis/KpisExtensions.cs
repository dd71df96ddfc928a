using System.Diagnostics.Metrics;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Data;
using AccidentRemote.Server.Signalling;
using Dapper;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace AccidentRemote.Server.Kpis;

/// <summary>Reads the week's cases and today's ratings and hands them to the calculator.</summary>
public sealed class KpiStore(Db db, TimeProvider clock, Presence presence, IOptions<KpiOptions> options)
{
    public async Task<KpiBoard> BoardAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var offset = options.Value.UtcOffset;
        var dayStart = new DateTimeOffset(now.ToOffset(offset).Date, offset);
        var weekStart = dayStart.AddDays(-6);
        await using var c = await db.OpenAsync(ct);
        var cases = (await c.QueryAsync<CaseRow>("""
            SELECT reported_at, answered_at, vehicles_moved_at, closed_at, status, officer_id, abandon_reason FROM cases
            WHERE reported_at >= @weekStart OR status IN ('reported', 'queued', 'in_call', 'vehicles_moved', 'liability_determined', 'awaiting_signatures')
            """, new { weekStart })).Select(r => new KpiCase(r.ReportedAt, r.AnsweredAt, r.VehiclesMovedAt, r.ClosedAt, r.Status, r.OfficerId, r.AbandonReason)).ToList();
        var ratings = (await c.QueryAsync<int>(
            "SELECT satisfaction_rating FROM parties WHERE rated_at >= @dayStart AND satisfaction_rating IS NOT NULL", new { dayStart })).ToList();
        return KpiCalculator.Compute(cases, ratings, now, offset, await presence.OfficersOnlineAsync());
    }
}

public static class KpisExtensions
{
    private static readonly double[] SecondsBuckets = [15, 30, 60, 120, 240, 480, 900, 1800, 3600];

    public static IHostApplicationBuilder AddKpis(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<KpiOptions>()
            .Bind(builder.Configuration.GetSection(KpiOptions.Section))
            .Validate(o => o.UtcOffset >= TimeSpan.FromHours(-14) && o.UtcOffset <= TimeSpan.FromHours(14), "Kpis:UtcOffset must be between -14:00 and 14:00.")
            .Validate(o => o.MetricsPort is null or (> 0 and <= 65535), "Kpis:MetricsPort must be a TCP port (1-65535), or empty to serve /metrics to signed-in staff on the service's port.")
            .Validate(o => o.GaugeRefresh >= TimeSpan.FromSeconds(1) && o.GaugeRefresh <= TimeSpan.FromMinutes(5),
                "Kpis:GaugeRefresh must be between 00:00:01 and 00:05:00 (how often queue, officer and claim gauges are read; 00:00:15 is usual).")
            .ValidateOnStart();
        if (builder.Configuration.GetValue<int?>($"{KpiOptions.Section}:{nameof(KpiOptions.MetricsPort)}") is { } port and > 0 and <= 65535)
        {
            ListenForMetrics(builder.Configuration, port);
        }

        builder.Services.AddSingleton<KpiStore>();
        builder.Services.AddSingleton<CaseMetrics>();
        builder.Services.AddSingleton<CentreGauges>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CentreGauges>());
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            // System.Runtime: the runtime's standard meter (GC heap, memory, thread pool), computed only when scraped.
            .AddMeter(CaseMetrics.MeterName, "System.Runtime")
            .AddView(i => i.Name.StartsWith("accidentremote.case.", StringComparison.Ordinal)
                ? new ExplicitBucketHistogramConfiguration { Boundaries = SecondsBuckets }
                : null)
            .AddPrometheusExporter());
        return builder;
    }

    public static IEndpointRouteBuilder MapKpis(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/kpis", async (KpiStore store, CancellationToken ct) => TypedResults.Ok(await store.BoardAsync(ct)))
            .WithTags("KPIs")
            .RequireAuthorization(AuthExtensions.StaffPolicy);
        var metrics = app.MapPrometheusScrapingEndpoint(MetricsPath);
        if (app.ServiceProvider.GetRequiredService<IOptions<KpiOptions>>().Value.MetricsPort is { } port)
        {
            // On its own port, anonymous; anywhere else, not there at all (a forged Host header does not
            // help: the connection's local port decides).
            metrics.AllowAnonymous().Add(b =>
            {
                var scrape = b.RequestDelegate!;
                b.RequestDelegate = http =>
                {
                    if (http.Connection.LocalPort == port)
                    {
                        return scrape(http);
                    }

                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                };
            });
        }
        else
        {
            metrics.RequireAuthorization(AuthExtensions.StaffPolicy);
        }

        return app;
    }

    public const string MetricsPath = "/metrics";

    /// <summary>
    /// Adds the metrics port to the server's URLs (Urls, ASPNETCORE_URLS or --urls), on the host of the
    /// first of them, so the service's own addresses stay as configured.
    /// </summary>
    private static void ListenForMetrics(IConfiguration configuration, int port)
    {
        var urls = configuration[WebHostDefaults.ServerUrlsKey];
        if (string.IsNullOrWhiteSpace(urls))
        {
            urls = "http://localhost:5000";
        }

        var first = BindingAddress.Parse(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0]);
        configuration[WebHostDefaults.ServerUrlsKey] = $"{urls};http://{first.Host}:{port}";
    }

    /// <summary>When <see cref="KpiOptions.MetricsPort"/> is set, that port answers /metrics and nothing else.</summary>
    public static WebApplication UseMetricsPort(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<KpiOptions>>().Value.MetricsPort is { } port)
        {
            app.Use((http, next) =>
            {
                if (http.Connection.LocalPort == port && !http.Request.Path.Equals(MetricsPath, StringComparison.Ordinal))
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                return next(http);
            });
        }

        return app;
    }
}
