using System.Security.Claims;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Cases;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Privacy;

/// <summary>PIPL: the privacy notice, retention and its purge, a person's export and a case's early erasure.</summary>
public static class PrivacyExtensions
{
    public static IHostApplicationBuilder AddPrivacy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddPrivacyServices(builder.Configuration);
        builder.Services.AddHostedService<PurgeService>();
        return builder;
    }

    /// <summary>What the server and the command-line tools share (the tools run no hosted service).</summary>
    internal static IServiceCollection AddPrivacyServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PrivacyOptions>().Bind(configuration.GetSection(PrivacyOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PrivacyOptions>, PrivacyOptionsValidation>();
        services.AddSingleton<PrivacyStore>();
        services.AddSingleton<IConsentCheck, PrivacyConsentCheck>();
        return services;
    }

    public static IEndpointRouteBuilder MapPrivacy(this IEndpointRouteBuilder app)
    {
        // The page reads the retention it states from here, so the notice says what the server does.
        app.MapGet("/api/privacy/notice", (IOptions<PrivacyOptions> o) => TypedResults.Ok(PrivacyNotice.View(o.Value)))
            .WithTags("Privacy").AllowAnonymous();

        var supervisors = app.MapGroup("/api/privacy").WithTags("Privacy").RequireAuthorization(p => p.RequireRole(Roles.Supervisor));
        // POST, not GET: a phone or ID number never goes into a URL (logs, proxies, history).
        supervisors.MapPost("/export", async (ExportRequest request, ClaimsPrincipal user, PrivacyStore store, HttpContext http, CancellationToken ct) =>
        {
            var phone = string.IsNullOrWhiteSpace(request.Phone) ? null : request.Phone;
            var id = string.IsNullOrWhiteSpace(request.IdNumber) ? null : request.IdNumber;
            if ((phone is null) == (id is null))
            {
                return Problems.Invalid("Export.Who", new Dictionary<string, string[]> { ["phone"] = [ServerText.Get("Export.OneOf")] });
            }

            http.Response.Headers.CacheControl = "no-store";
            return Results.Ok(await store.ExportAsync(phone, id, $"officer:{user.OfficerId()}", ct));
        });
        supervisors.MapPost("/cases/{caseId:guid}/erase", async (Guid caseId, ClaimsPrincipal user, PrivacyStore store, CancellationToken ct) =>
            await store.EraseCaseAsync(caseId, $"officer:{user.OfficerId()}", ct) switch
            {
                EraseResult.Erased e => Results.Ok(e),
                EraseResult.Refused r => Problems.WithDetail(409, "Erase.Refused", r.Reason),
                _ => CaseResults.NoSuchCase(caseId),
            });
        return app;
    }
}

/// <summary>Runs the purge every <see cref="PrivacyOptions.PurgeInterval"/> (off when zero). A failed round is logged and tried again next time.</summary>
internal sealed class PurgeService(PrivacyStore store, IOptions<PrivacyOptions> options, ILogger<PurgeService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.PurgeInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                await store.PurgeAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Retention purge failed; it runs again in {Interval}", interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
