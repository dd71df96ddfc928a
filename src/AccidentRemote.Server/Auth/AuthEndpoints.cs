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
        return app;
    }

    private static async Task<Results<Ok<SignInResponse>, ProblemHttpResult>> SignIn(
        SignInRequest request, OfficerStore officers, IOptions<AuthOptions> options, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Username) || string.IsNullOrEmpty(request.Password))
        {
            return TypedResults.Problem(statusCode: 400, title: "Username and password are required.",
                detail: "Send {\"username\": \"…\", \"password\": \"…\"}.");
        }

        var officer = await officers.FindByUsernameAsync(request.Username.Trim(), ct);
        if (officer is null || !Secrets.VerifyPassword(request.Password, officer.PasswordHash))
        {
            return TypedResults.Problem(statusCode: 401, title: "Wrong username or password.",
                detail: "Check both and try again. A supervisor can reset a password with the create-officer command.");
        }

        var (token, expires) = await officers.StartSessionAsync(officer.Id, options.Value.OfficerSessionLifetime, ct);
        return TypedResults.Ok(new SignInResponse(token, expires, new OfficerView(officer.Id, officer.Username, officer.DisplayName, officer.Role)));
    }

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
