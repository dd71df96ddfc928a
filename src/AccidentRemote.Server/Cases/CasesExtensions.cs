using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using AccidentRemote.Server.Auth;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Cases;

/// <summary>Settings for drivers' reports. Section <c>Cases</c>.</summary>
public sealed class CasesOptions
{
    public const string Section = "Cases";

    /// <summary>Reports and joins allowed from one client address per minute (join codes must not be guessable by brute force).</summary>
    [Range(1, 100_000)]
    public int ReportsPerMinutePerAddress { get; set; } = 30;
}

public static class CasesExtensions
{
    public static IHostApplicationBuilder AddCases(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CasesOptions>()
            .Bind(builder.Configuration.GetSection(CasesOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<CaseStore>();
        builder.AddQueueExpiry();
        builder.Services.Configure<RateLimiterOptions>(o => o.AddPolicy(CaseEndpoints.ReportRateLimit, http =>
        {
            var limit = http.RequestServices.GetRequiredService<IOptions<CasesOptions>>().Value.ReportsPerMinutePerAddress;
            return RateLimitPartition.GetFixedWindowLimiter(AuthExtensions.ClientKey(http), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit,
                Window = TimeSpan.FromMinutes(1),
            });
        }));
        return builder;
    }
}
