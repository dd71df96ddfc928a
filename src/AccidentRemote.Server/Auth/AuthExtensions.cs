using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.HttpOverrides;
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
        builder.Services.AddSingleton<IValidateOptions<AuthOptions>, TrustedProxiesValidator>();
        builder.Services.AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<AuthOptions>>((forwarded, auth) => ConfigureForwardedHeaders(forwarded, auth.Value));
        builder.Services.AddSingleton<OfficerStore>();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddSingleton<IPasswordHasher, Pbkdf2PasswordHasher>();
        builder.Services.AddSingleton<StaffHubSessions>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StaffHubSessions>());
        builder.Services.Configure<Microsoft.AspNetCore.SignalR.HubOptions>(o => Microsoft.AspNetCore.SignalR.HubOptionsExtensions.AddFilter<StaffHubSessions>(o));
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
                        Title = ServerText.Get("RateLimit.title"),
                        Detail = ServerText.Get("RateLimit.detail"),
                        Extensions = { [Problems.CodeExtension] = "RateLimit" },
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

    /// <summary>
    /// The partition key of every per-client limit: the client's address as the forwarded-headers
    /// middleware left it (the direct peer, or what a trusted proxy said), IPv4 by address (IPv4-mapped
    /// IPv6 counted as IPv4), IPv6 by its /64: one phone or home network gets a whole /64, and hopping
    /// through its addresses must not multiply its budget.
    /// </summary>
    public static string ClientKey(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>
    /// X-Forwarded-For and X-Forwarded-Proto are believed only when the connection comes from an entry
    /// of Auth:TrustedProxies. The framework's default trust of loopback is removed: a proxy on the same
    /// machine must be listed too. Within a chain of listed proxies the client is the first address, from
    /// the right, that is not a listed proxy. X-Forwarded-Host is never believed.
    /// </summary>
    public static void ConfigureForwardedHeaders(ForwardedHeadersOptions forwarded, AuthOptions auth)
    {
        // With both lists empty the middleware would believe every peer: no trusted proxy means no forwarding at all.
        forwarded.ForwardedHeaders = auth.TrustedProxies.Length == 0
            ? ForwardedHeaders.None
            : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        forwarded.ForwardLimit = null;
        forwarded.RequireHeaderSymmetry = false;
        foreach (var entry in auth.TrustedProxies.Select(e => e.Trim()))
        {
            if (IPAddress.TryParse(entry, out var address))
            {
                forwarded.KnownProxies.Add(address);
            }
            else if (System.Net.IPNetwork.TryParse(entry, out var network))
            {
                forwarded.KnownIPNetworks.Add(network);
            }
        }
    }
}

/// <summary>Auth:TrustedProxies: names the entry that is neither an address nor a network.</summary>
internal sealed class TrustedProxiesValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options) =>
        options.TrustedProxyProblem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}

/// <summary>
/// On the very first start there is nobody to sign in as: create a supervisor <c>admin</c>
/// with a random password and print it once. There is no fixed default password.
/// </summary>
internal sealed class FirstOfficerBootstrap(OfficerStore officers, ILogger<FirstOfficerBootstrap> logger,
    IOptions<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions> console) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await officers.CountAsync(cancellationToken) > 0)
        {
            return;
        }

        var password = Secrets.NewPassword();
        await officers.CreateOrResetAsync("admin", "Administrator", Roles.Supervisor, password, cancellationToken);
        if (string.Equals(console.Value.FormatterName, Microsoft.Extensions.Logging.Console.ConsoleFormatterNames.Json, StringComparison.OrdinalIgnoreCase))
        {
            // A JSON console goes to a log collector: the password is not printed there at all.
            logger.LogWarning("No officers existed: created supervisor 'admin' with a random password that is not shown (the log is JSON). " +
                "Set one with: create-officer admin \"Administrator\" supervisor");
            return;
        }

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
