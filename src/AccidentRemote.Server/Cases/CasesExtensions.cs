using System.Threading.RateLimiting;
using AccidentRemote.Server.Auth;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Cases;

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
        builder.Services.AddSingleton<CaseTransitions>();
        builder.Services.AddSingleton<FirstPartyChanges>();
        builder.Services.AddSingleton<CaseJoining>();
        builder.Services.AddSingleton<CaseIntake>();
        builder.Services.AddSingleton<IPartyTokens, PartyTokenLookup>();
        builder.Services.AddSingleton<AbuseBlocks>();
        builder.AddQueueExpiry();
        builder.Services.Configure<RateLimiterOptions>(o => o.AddPolicy(ReportEndpoints.ReportRateLimit, http =>
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
