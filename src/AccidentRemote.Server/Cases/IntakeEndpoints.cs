using System.Security.Claims;
using AccidentRemote.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AccidentRemote.Server.Cases;

/// <summary>The answer of a party of the existing case to "this plate says it was in your accident".</summary>
public sealed record DuplicateAnswerRequest(bool? Confirm);

/// <summary>Which case a party token opens now (after a merge it is the merged case).</summary>
public sealed record MyCaseView(Guid CaseId, string CaseNumber, string Status, Guid PartyId, int PartyNumber, string? JoinCode);

/// <summary>
/// How people get into a case besides report and join: the join code for the first party (who
/// sees who joined and can turn them away), and possible duplicates (consent or an officer's merge).
/// </summary>
public static class IntakeEndpoints
{
    public static IEndpointRouteBuilder MapIntake(this IEndpointRouteBuilder app)
    {
        var parties = app.MapGroup("/api/cases").WithTags("Joining").RequireAuthorization(AuthExtensions.PartyPolicy);
        parties.MapGet("/mine", Mine);
        parties.MapGet("/{caseId:guid}/join", JoinInfo);
        parties.MapPost("/{caseId:guid}/join/renew", Renew);
        parties.MapPost("/{caseId:guid}/parties/{partyId:guid}/reject", Reject);
        parties.MapGet("/{caseId:guid}/duplicate-questions", Questions);
        parties.MapPost("/{caseId:guid}/duplicates/{linkId:guid}/answer", Answer);

        var officers = app.MapGroup("/api/cases").WithTags("Officer handling").RequireAuthorization(AuthExtensions.StaffPolicy);
        officers.MapGet("/{caseId:guid}/duplicates", async (Guid caseId, CaseStore store, CancellationToken ct) =>
            await store.GetAsync(caseId, ct) is null ? NoCase() : (IResult)TypedResults.Ok(await store.DuplicatesAsync(caseId, ct)));
        officers.MapPost("/{caseId:guid}/duplicates/{linkId:guid}/merge", (Guid caseId, Guid linkId, ClaimsPrincipal user, CaseIntake intake, CancellationToken ct) =>
            Decide(intake.OfficerDecideDuplicateAsync(caseId, linkId, user.OfficerId(), user.IsInRole(Roles.Supervisor), merge: true, ct)));
        officers.MapPost("/{caseId:guid}/duplicates/{linkId:guid}/keep-apart", (Guid caseId, Guid linkId, ClaimsPrincipal user, CaseIntake intake, CancellationToken ct) =>
            Decide(intake.OfficerDecideDuplicateAsync(caseId, linkId, user.OfficerId(), user.IsInRole(Roles.Supervisor), merge: false, ct)));
        return app;
    }

    private static async Task<IResult> Mine(ClaimsPrincipal user, CaseStore store, CancellationToken ct)
    {
        var details = user.PartyCaseId() is { } caseId ? await store.GetAsync(caseId, ct) : null;
        var party = details?.Parties.FirstOrDefault(p => p.Id == user.PartyId());
        return details is null || party is null
            ? NoCase()
            : TypedResults.Ok(new MyCaseView(details.Case.Id, details.Case.CaseNumber, details.Case.Status, party.Id, party.PartyNumber, details.Case.JoinCode));
    }

    private static async Task<IResult> JoinInfo(Guid caseId, ClaimsPrincipal user, CaseStore store, CancellationToken ct) =>
        user.PartyCaseId() == caseId && await store.JoinInfoAsync(caseId, user.PartyId()!.Value, ct) is { } info
            ? TypedResults.Ok(info)
            : NoCase();

    private static async Task<IResult> Renew(Guid caseId, ClaimsPrincipal user, CaseStore store, FirstPartyChanges changes, CancellationToken ct)
    {
        if (user.PartyCaseId() != caseId)
        {
            return NoCase();
        }

        var change = await changes.RenewJoinAsync(caseId, user.PartyId()!.Value, ct);
        return await AfterPartyChange(change, caseId, store, user, ct);
    }

    private static async Task<IResult> Reject(Guid caseId, Guid partyId, ClaimsPrincipal user, CaseStore store, FirstPartyChanges changes, CancellationToken ct)
    {
        if (user.PartyCaseId() != caseId)
        {
            return NoCase();
        }

        var change = await changes.RejectPartyAsync(caseId, user.PartyId()!.Value, partyId, ct);
        return await AfterPartyChange(change, caseId, store, user, ct);
    }

    /// <summary>The answer to the first party's change (the pages are told by the case transaction's observer).</summary>
    private static async Task<IResult> AfterPartyChange(CaseChange change, Guid caseId, CaseStore store, ClaimsPrincipal user, CancellationToken ct)
    {
        switch (change)
        {
            case CaseChange.Done:
                return TypedResults.Ok(await store.JoinInfoAsync(caseId, user.PartyId()!.Value, ct));
            case CaseChange.NotYours:
                return Problems.Of(403, "Party.FirstOnly");
            case CaseChange.WrongState s:
                return CaseResults.StateConflict(s.Status, s.Reason);
            default:
                return Problems.Of(404, "Party.NotFound");
        }
    }

    private static async Task<IResult> Questions(Guid caseId, ClaimsPrincipal user, CaseStore store, CancellationToken ct) =>
        user.PartyCaseId() == caseId
            ? TypedResults.Ok(await store.DuplicateQuestionsAsync(caseId, user.PartyId()!.Value, ct))
            : NoCase();

    private static async Task<IResult> Answer(Guid caseId, Guid linkId, DuplicateAnswerRequest request, ClaimsPrincipal user, CaseIntake intake, CancellationToken ct)
    {
        if (user.PartyCaseId() != caseId)
        {
            return NoCase();
        }

        if (request.Confirm is not { } confirm)
        {
            return Problems.Field("confirm", "Duplicate.Confirm");
        }

        return await Decide(intake.AnswerDuplicateAsync(caseId, user.PartyId()!.Value, linkId, confirm, ct));
    }

    /// <summary>The answer to a decision on a possible duplicate (the pages are told by the case transaction's observer).</summary>
    private static async Task<IResult> Decide(Task<DuplicateDecision> decision)
    {
        switch (await decision)
        {
            case DuplicateDecision.Merged m:
                return TypedResults.Ok(new { outcome = "merged", caseId = m.CaseId, mergedCaseId = m.FromCaseId, partyId = m.PartyId, partyNumber = m.PartyNumber });
            case DuplicateDecision.KeptApart k:
                return TypedResults.Ok(new { outcome = "kept_apart", caseId = k.CaseId, otherCaseId = k.DuplicateCaseId });
            case DuplicateDecision.Forbidden f:
                return Problems.WithDetail(403, "Duplicate.Forbidden", f.Reason);
            case DuplicateDecision.Refused r:
                return Problems.WithDetail(409, "Duplicate.Refused", r.Reason);
            default:
                return Problems.Of(404, "Duplicate.NotFound");
        }
    }

    private static ProblemHttpResult NoCase() => CaseResults.NoSuchCase();
}
