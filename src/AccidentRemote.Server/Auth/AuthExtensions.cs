using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Auth;

public static class AuthExtensions
{
    public const string StaffPolicy = "staff";
    public const string PartyPolicy = "party";
    public const string InsurerPolicy = "insurer";

    /// <summary>The people of a case: its parties and police staff (each endpoint narrows it to the case). Not insurer staff.</summary>
    public const string CasePolicy = "case";

    public static IHostApplicationBuilder AddAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>()
            .Bind(builder.Configuration.GetSection(AuthOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<OfficerStore>();
        builder.Services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(StaffPolicy, p => p.RequireRole(Roles.Officer, Roles.Supervisor))
            .AddPolicy(PartyPolicy, p => p.RequireRole(Roles.Party))
            .AddPolicy(CasePolicy, p => p.RequireRole(Roles.Party, Roles.Officer, Roles.Supervisor))
            .AddPolicy(InsurerPolicy, p => p.RequireRole(Roles.Insurer).RequireClaim(TokenAuthenticationHandler.InsurerClaim));

        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, ct) =>
            {
                var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests from this address.",
                        Detail = "Wait a minute and try again.",
                    },
                });
            };
            o.AddPolicy(AuthEndpoints.SignInRateLimit, http =>
            {
                var limit = http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.SignInAttemptsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(ClientKey(http), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limit,
                    Window = TimeSpan.FromMinutes(1),
                });
            });
        });

        builder.Services.AddHostedService<FirstOfficerBootstrap>();
        return builder;
    }

    /// <summary>The partition key for per-address limits.</summary>
    public static string ClientKey(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}

/// <summary>
/// On the very first start there is nobody to sign in as: create a supervisor <c>admin</c>
/// with a random password and print it once. There is no fixed default password.
/// </summary>
internal sealed class FirstOfficerBootstrap(OfficerStore officers, ILogger<FirstOfficerBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await officers.CountAsync(cancellationToken) > 0)
        {
            return;
        }

        var password = Secrets.NewPassword();
        await officers.CreateOrResetAsync("admin", "Administrator", Roles.Supervisor, password, cancellationToken);
        logger.LogWarning("No officers existed: created supervisor 'admin'. Its password is printed once on the console.");
        // Written to the console only, never to the log pipeline, and never again.
        Console.WriteLine($"""

            ==================================================================
             First start: sign in to the console as  admin  /  {password}
             This password is shown only now. Create more officers with:
               dotnet run --project src/AccidentRemote.Server -- create-officer <username> "<name>" [officer|supervisor]
            ==================================================================

            """);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
