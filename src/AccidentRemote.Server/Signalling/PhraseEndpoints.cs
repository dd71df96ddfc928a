using System.Security.Claims;
using System.Threading.RateLimiting;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Cases;

namespace AccidentRemote.Server.Signalling;

/// <summary>The officer's request to show a canned phrase to one party: <see cref="Key"/> is one of <see cref="CannedPhrases.Keys"/>.</summary>
public sealed record PhraseRequest(Guid? PartyId, string? Key);

/// <summary>A canned phrase as recorded on the case and pushed to its party (the key only; the party's page words it in its language).</summary>
public sealed record CannedPhrase(Guid PartyId, string Key);

/// <summary>
/// The phrases an officer can send a party. Only the key travels: the driver page has each phrase in
/// zh-CN and en (ClientApp/src/i18n, keys <c>phrase.&lt;key&gt;</c>), so every party reads it in its own language.
/// </summary>
public static class CannedPhrases
{
    public static readonly IReadOnlyList<string> Keys =
        ["hazard-lights", "move-aside", "photo-damage", "please-wait", "stay-safe", "details", "check-phone", "thanks"];

    /// <summary>At most this many phrases per officer per minute: a stuck key must not flood a driver's phone.</summary>
    public const int PerOfficerPerMinute = 12;
}

public static class PhraseEndpoints
{
    public static IEndpointRouteBuilder MapPhrases(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api").WithTags("Call")
            .MapPost("/cases/{caseId:guid}/phrases", Send).RequireAuthorization(AuthExtensions.StaffPolicy);
        return app;
    }

    private static readonly PartitionedRateLimiter<Guid> Limiter = PartitionedRateLimiter.Create<Guid, Guid>(officer =>
        RateLimitPartition.GetFixedWindowLimiter(officer, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = CannedPhrases.PerOfficerPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    /// <summary>
    /// Only the officer who accepted the case (not another officer, not a supervisor watching), only to a party
    /// of that case, only a known phrase, only while the case is in hand; recorded as a case event (the case
    /// transaction), then pushed to that party's page by <see cref="CasePagesObserver"/>.
    /// </summary>
    private static async Task<IResult> Send(Guid caseId, PhraseRequest request, ClaimsPrincipal user, CaseStore cases, CaseTransitions transitions,
        HttpContext http, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Key is null || !CannedPhrases.Keys.Contains(request.Key))
        {
            errors["key"] = [ServerText.Get("Phrase.UnknownKey")];
        }

        if (request.PartyId is null)
        {
            errors["partyId"] = [ServerText.Get("Phrase.NoParty")];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid("Phrase.Invalid", errors);
        }

        var details = await cases.GetAsync(caseId, ct);
        if (details is null || !CaseAccessRule.Decide(user, details.Case).Sees)
        {
            return CaseResults.NoSuchCase(caseId);
        }

        if (details.Case.OfficerId != user.OfficerId())
        {
            return Problems.Of(403, "Phrase.NotYours");
        }

        if (!CaseStatus.InHand.Contains(details.Case.Status))
        {
            return CaseResults.StateConflict(details.Case.Status, ServerText.Get("Phrase.WrongState"));
        }

        var partyId = request.PartyId!.Value;
        if (details.Parties.All(p => p.Id != partyId))
        {
            return Problems.Invalid("Phrase.Invalid", new Dictionary<string, string[]> { ["partyId"] = [ServerText.Get("Phrase.NotAParty")] });
        }

        using var lease = Limiter.AttemptAcquire(user.OfficerId());
        if (!lease.IsAcquired)
        {
            http.Response.Headers.RetryAfter = "60";
            return Problems.Of(429, "Phrase.TooMany", CannedPhrases.PerOfficerPerMinute);
        }

        var phrase = new CannedPhrase(partyId, request.Key!);
        var change = await transitions.RecordAsync(caseId, new CaseActor.Officer(user.OfficerId(), user.IsInRole(Roles.Supervisor)), "phrase",
            $"{phrase.Key}:{partyId}", ct, subject: phrase);
        return change is CaseChange.Done ? TypedResults.Accepted((string?)null) : CaseResults.Refusal(change, caseId);
    }
}
