using System.Security.Claims;
using System.Threading.RateLimiting;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Insurers;
using AccidentRemote.Server.Signalling;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.InsurerDesk;

public sealed record InsurerSuggestion(string InsurerCode);

public sealed record DeclareInsurerRequest(string? InsurerCode);

/// <summary>
/// The insurer suggestion lives inside a report: a party (with its party token) asks which
/// insurer the policy records name for ITS OWN plate, and nothing else. A stranger cannot ask
/// about a plate at all; learning one's insurer takes filing a police report with that plate,
/// which an officer sees and can mark as abuse. The suggestion is only shown: the insurer is
/// recorded for the party when the driver confirms it, and personal data reaches an insurer
/// only through the claim of a closed case.
/// </summary>
public static class InsurerSuggestionEndpoints
{
    public const string SuggestRateLimit = "policy-suggest";

    public static IEndpointRouteBuilder MapInsurerSuggestion(this IEndpointRouteBuilder app)
    {
        var party = app.MapGroup("/api/cases/{caseId:guid}").WithTags("Insurer suggestion").RequireAuthorization(AuthExtensions.PartyPolicy);
        party.MapGet("/insurer-suggestion", Suggest).RequireRateLimiting(SuggestRateLimit);
        party.MapPut("/parties/me/insurer", Declare);
        return app;
    }

    /// <summary>The desk and the suggestion: what an insurer's staff and a driver's insurer choice need.</summary>
    public static IHostApplicationBuilder AddInsurerDesk(this IHostApplicationBuilder builder)
    {
        AddSuggestionRateLimit(builder.Services);
        return builder;
    }

    /// <summary>The suggestion's own per-client budget (<c>Insurers:SuggestionsPerMinutePerClient</c>), apart from reports and joins.</summary>
    private static void AddSuggestionRateLimit(IServiceCollection services) =>
        services.Configure<RateLimiterOptions>(o => o.AddPolicy(SuggestRateLimit, http =>
        {
            var limit = http.RequestServices.GetRequiredService<IOptions<InsurerOptions>>().Value.SuggestionsPerMinutePerClient;
            return RateLimitPartition.GetFixedWindowLimiter(AuthExtensions.ClientKey(http), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit,
                Window = TimeSpan.FromMinutes(1),
            });
        }));

    private static readonly string[] Over = [CaseStatus.Closed, CaseStatus.Escalated, CaseStatus.Abandoned];

    private static async Task<IResult> Suggest(Guid caseId, ClaimsPrincipal user, CaseStore cases, PolicyIndex index, CancellationToken ct)
    {
        var details = user.PartyCaseId() == caseId ? await cases.GetAsync(caseId, ct) : null;
        var me = details?.Parties.SingleOrDefault(p => p.Id == user.PartyId());
        if (details is null || me is null)
        {
            return CaseResults.NoSuchCase(caseId);
        }

        var insurer = me.InsurerCode is null && !Over.Contains(details.Case.Status) ? await index.SuggestAsync(me.Plate, ct) : null;
        return insurer is null
            ? Problems.Of(404, "Insurer.NoSuggestion")
            : TypedResults.Ok(new InsurerSuggestion(insurer));
    }

    /// <summary>The driver confirms (or chooses) its insurer after the report; recorded as a case event by the party.</summary>
    private static async Task<IResult> Declare(Guid caseId, DeclareInsurerRequest request, ClaimsPrincipal user, CaseTransitions transitions,
        IOptions<InsurerOptions> insurers, CancellationToken ct)
    {
        if (request.InsurerCode is not { } code || !insurers.Value.IsKnown(code))
        {
            return Problems.Field("insurerCode", "Insurer.Choose");
        }

        if (user.PartyCaseId() != caseId)
        {
            return CaseResults.NoSuchCase(caseId);
        }

        var partyId = user.PartyId()!.Value;
        var result = await transitions.PartyChangeAsync(caseId, partyId, async (c, tx, details, now) =>
        {
            if (Over.Contains(details.Case.Status))
            {
                return new CaseChange.WrongState(details.Case.Status, ServerText.Get("Insurer.CaseOver"));
            }

            await CaseWrites.SetPartyInsurerAsync(c, tx, caseId, partyId, code);
            return null;
        }, "insurer_declared", ct);
        switch (result)
        {
            case CaseChange.Done:
                return TypedResults.NoContent();
            case CaseChange.WrongState s:
                return CaseResults.StateConflict(s.Status, s.Reason);
            default:
                return CaseResults.NoSuchCase(caseId);
        }
    }
}
