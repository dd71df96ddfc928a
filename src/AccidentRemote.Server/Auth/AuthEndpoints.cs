using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Auth;

public sealed record SignInRequest(string? Username, string? Password);

public sealed record SignInResponse(string Token, DateTimeOffset ExpiresAt, OfficerView Officer);

public sealed record OfficerView(Guid Id, string Username, string DisplayName, string Role);

public static class AuthEndpoints
{
    public const string SignInRateLimit = "sign-in";

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/officers").WithTags("Officers");
        group.MapPost("/sign-in", SignIn).AllowAnonymous().RequireRateLimiting(SignInRateLimit);
        group.MapPost("/sign-out", SignOut).RequireAuthorization(p => p.RequireRole(Roles.Officer, Roles.Supervisor, Roles.Insurer));
        group.MapGet("/me", (HttpContext http) => TypedResults.Ok(new
        {
            username = http.User.Identity?.Name,
            role = http.User.IsInRole(Roles.Supervisor) ? Roles.Supervisor : http.User.IsInRole(Roles.Insurer) ? Roles.Insurer : Roles.Officer,
            insurerCode = http.User.InsurerCode(),
        })).RequireAuthorization(p => p.RequireRole(Roles.Officer, Roles.Supervisor, Roles.Insurer));
        group.MapPost("/{username}/disable", (string username, HttpContext http, OfficerStore officers, StaffHubSessions hubSessions, CancellationToken ct) => SetDisabled(username, true, http, officers, hubSessions, ct))
            .RequireAuthorization(p => p.RequireRole(Roles.Supervisor));
        group.MapPost("/{username}/enable", (string username, HttpContext http, OfficerStore officers, StaffHubSessions hubSessions, CancellationToken ct) => SetDisabled(username, false, http, officers, hubSessions, ct))
            .RequireAuthorization(p => p.RequireRole(Roles.Supervisor));
        group.MapPut("/{username}/badge", SetBadge).RequireAuthorization(p => p.RequireRole(Roles.Supervisor));
        return app;
    }

    private static async Task<Results<Ok<SignInResponse>, ProblemHttpResult>> SignIn(
        SignInRequest request, HttpContext http, OfficerStore officers, IPasswordHasher hasher, SignInThrottle throttle,
        IOptions<AuthOptions> options, ILoggerFactory loggers, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Username) || string.IsNullOrEmpty(request.Password))
        {
            return Problems.Of(400, "SignIn.Missing");
        }

        var logger = loggers.CreateLogger(typeof(AuthEndpoints));
        var username = request.Username.Trim();
        var client = AuthExtensions.ClientKey(http);
        if (throttle.RetryAfter(username, client) is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problems.Of(StatusCodes.Status429TooManyRequests, "SignIn.Throttled", seconds);
        }

        var officer = await officers.FindByUsernameAsync(username, ct);
        // An unknown username is checked against a dummy hash of the same cost: the answer takes as long
        // as for a real officer, so its timing does not tell which usernames exist.
        var passwordMatches = hasher.Verify(request.Password, officer?.PasswordHash ?? Secrets.DummyPasswordHash);
        if (officer is null || !passwordMatches)
        {
            if (throttle.Failed(username))
            {
                // The username only (staff, not a driver); never the password tried.
                logger.LogWarning("Sign-in for username {Username} held after {Count} failures within {Window}.",
                    username, options.Value.SignInFailuresPerUsername, options.Value.SignInFailureWindow);
            }

            return Problems.Of(401, "SignIn.Wrong");
        }

        if (officer.DisabledAt is not null)
        {
            return Problems.Of(403, "SignIn.Disabled");
        }

        throttle.Succeeded(username, client);
        var (token, expires) = await officers.StartSessionAsync(officer.Id, options.Value.OfficerSessionLifetime, ct);
        return TypedResults.Ok(new SignInResponse(token, expires, new OfficerView(officer.Id, officer.Username, officer.DisplayName, officer.Role)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SetDisabled(string username, bool disabled, HttpContext http, OfficerStore officers, StaffHubSessions hubSessions, CancellationToken ct)
    {
        if (disabled && string.Equals(username, http.User.Identity?.Name, StringComparison.Ordinal))
        {
            return Problems.Of(409, "Account.Self");
        }

        if (!await officers.SetDisabledAsync(username, disabled, $"officer:{http.User.Identity?.Name}", ct))
        {
            return Problems.Of(404, "Account.NotFound");
        }

        // This node's hub connections of that account close now; other nodes' at their next check.
        await hubSessions.CheckAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>A supervisor records an officer's badge number (警号), printed on the documents that officer issues.</summary>
    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> SetBadge(string username, BadgeRequest request, HttpContext http, OfficerStore officers, CancellationToken ct)
    {
        if (!OfficerStore.IsBadgeNumber(request.BadgeNumber))
        {
            return Problems.Field("badgeNumber", "Account.Badge");
        }

        return await officers.SetBadgeNumberAsync(username, request.BadgeNumber!, $"officer:{http.User.Identity?.Name}", ct)
            ? TypedResults.NoContent()
            : Problems.Of(404, "Account.NotFound");
    }

    public sealed record BadgeRequest(string? BadgeNumber);

    private static async Task<NoContent> SignOut(HttpContext http, OfficerStore officers, CancellationToken ct)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            await officers.EndSessionAsync(header["Bearer ".Length..].Trim(), ct);
        }

        return TypedResults.NoContent();
    }
}
