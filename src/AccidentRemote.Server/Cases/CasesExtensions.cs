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

    /// <summary>Wrong typed codes against one case before its typed code is locked (the link and QR still work; the first party can renew the code).</summary>
    [Range(1, 100, ErrorMessage = "Cases:JoinFailuresBeforeLock must be between 1 and 100.")]
    public int JoinFailuresBeforeLock { get; set; } = 5;

    /// <summary>Failed joins allowed from one client per window before it must wait.</summary>
    [Range(1, 100_000, ErrorMessage = "Cases:JoinFailuresPerClient must be between 1 and 100000.")]
    public int JoinFailuresPerClient { get; set; } = 10;

    /// <summary>Failed typed-code joins allowed from all clients together per window (a sweep from many addresses).</summary>
    [Range(1, 1_000_000, ErrorMessage = "Cases:JoinFailuresGlobal must be between 1 and 1000000.")]
    public int JoinFailuresGlobal { get; set; } = 300;

    /// <summary>The window of the join failure budgets, in minutes.</summary>
    [Range(1, 1440, ErrorMessage = "Cases:JoinFailureWindowMinutes must be between 1 and 1440.")]
    public int JoinFailureWindowMinutes { get; set; } = 15;
    /// <summary>How long a client whose report an officer marked as abuse may not report or join.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "Cases:AbuseBlockDuration must be between 1 minute (00:01:00) and 30 days (30.00:00:00).")]
    public TimeSpan AbuseBlockDuration { get; set; } = TimeSpan.FromHours(24);
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
        builder.Services.AddSingleton<JoinGuard>();
        builder.Services.AddSingleton<CaseHeads>();
        builder.Services.AddSingleton<CaseTransactions>();
        builder.Services.AddSingleton<AbuseBlocks>();
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
