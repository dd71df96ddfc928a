using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Auth;

/// <summary>
/// One scheme for both kinds of caller: <c>Authorization: Bearer ar_o_…</c> is an officer's
/// session, <c>Bearer ar_p_…</c> a party's token. Browsers' WebSocket connections to hubs
/// cannot set headers, so <c>access_token</c> in the query is accepted on <c>/hubs</c> only.
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    OfficerStore officers,
    IPartyTokens parties) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Token";
    public const string CaseIdClaim = "case_id";
    public const string PartyIdClaim = "party_id";

    /// <summary>When a party token stops opening its case (its case's end plus the lifetime after it); absent while the case is open.</summary>
    public const string PartyTokenExpiresClaim = "party_token_expires";
    public const string InsurerClaim = "insurer_code";
    private const string PartyTokenExpiredKey = "party-token-expired";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadToken();
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (token.StartsWith(Secrets.OfficerTokenPrefix, StringComparison.Ordinal))
        {
            var officer = await officers.FindBySessionAsync(token, Context.RequestAborted);
            if (officer is null)
            {
                return AuthenticateResult.Fail("The officer session is unknown or expired; sign in again.");
            }

            Claim[] claims = [
                new Claim(ClaimTypes.NameIdentifier, officer.Id.ToString()),
                new Claim(ClaimTypes.Name, officer.Username),
                new Claim(ClaimTypes.Role, officer.Role),
            ];
            return Success(officer.InsurerCode is { } code ? [.. claims, new Claim(InsurerClaim, code)] : claims);
        }

        if (token.StartsWith(Secrets.PartyTokenPrefix, StringComparison.Ordinal))
        {
            var party = await parties.FindAsync(token, Context.RequestAborted);
            if (party is null)
            {
                return AuthenticateResult.Fail("The party token is not valid.");
            }

            // A party's token outlives its case by a set time (for the document, rating, claim status), then ends.
            var lifetime = Context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.PartyTokenLifetimeAfterCaseEnd;
            if (party.CaseEndedAt is { } ended && Context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow() >= ended + lifetime)
            {
                var text = Context.RequestServices.GetRequiredService<IStringLocalizer<DriverMessages>>();
                Context.Items[PartyTokenExpiredKey] = true;
                return AuthenticateResult.Fail(text["PartyToken.expired", (int)Math.Round(lifetime.TotalDays)].Value);
            }

            Claim[] partyClaims = [
                new Claim(ClaimTypes.NameIdentifier, party.PartyId.ToString()),
                new Claim(ClaimTypes.Role, Roles.Party),
                new Claim(CaseIdClaim, party.CaseId.ToString()),
                new Claim(PartyIdClaim, party.PartyId.ToString()),
            ];
            return Success(party.CaseEndedAt is { } end
                ? [.. partyClaims, new Claim(PartyTokenExpiresClaim, (end + lifetime).ToString("O", System.Globalization.CultureInfo.InvariantCulture))]
                : partyClaims);
        }

        return AuthenticateResult.Fail("Unrecognised token.");
    }

    /// <summary>An expired party token gets a 401 that says so (the driver reports again for a new case).</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (!Context.Items.ContainsKey(PartyTokenExpiredKey) || result.Failure is null)
        {
            await base.HandleChallengeAsync(properties);
            return;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        await Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = Context.RequestServices.GetRequiredService<IStringLocalizer<DriverMessages>>()["PartyToken.expiredTitle"].Value,
                Detail = result.Failure.Message,
                Extensions = { [Problems.CodeExtension] = "PartyToken.Expired" },
            },
        });
    }

    private static AuthenticateResult Success(Claim[] claims)
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private string? ReadToken()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        if (Request.Path.StartsWithSegments("/hubs") && Request.Query.TryGetValue("access_token", out var q))
        {
            return q.ToString();
        }

        return null;
    }
}

public static class PrincipalExtensions
{
    public static Guid OfficerId(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);

    public static bool IsParty(this ClaimsPrincipal user) => user.IsInRole(Roles.Party);

    public static bool IsStaff(this ClaimsPrincipal user) => user.IsInRole(Roles.Officer) || user.IsInRole(Roles.Supervisor);

    /// <summary>The insurer an insurer-staff user works for; null for everyone else.</summary>
    public static string? InsurerCode(this ClaimsPrincipal user) =>
        user.IsInRole(Roles.Insurer) ? user.FindFirstValue(TokenAuthenticationHandler.InsurerClaim) : null;

    public static Guid? PartyCaseId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(TokenAuthenticationHandler.CaseIdClaim), out var id) ? id : null;

    public static Guid? PartyId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(TokenAuthenticationHandler.PartyIdClaim), out var id) ? id : null;
}
