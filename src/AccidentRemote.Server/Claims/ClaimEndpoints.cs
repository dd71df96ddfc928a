using System.Security.Claims;
using AccidentRemote.Server.Audit;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Cases;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AccidentRemote.Server.Claims;

public static class ClaimEndpoints
{
    public static IEndpointRouteBuilder MapClaims(this IEndpointRouteBuilder app)
    {
        // A party sees its own claim (and the insurer's report number once it came), also after the case ended;
        // the officer handling the case and supervisors see all of a case's (CaseAccessRule).
        app.MapGet("/api/cases/{caseId:guid}/claims", CaseClaims).WithTags("Claims").RequireAuthorization(AuthExtensions.CasePolicy);
        var group = app.MapGroup("/api").WithTags("Claims").RequireAuthorization(AuthExtensions.StaffPolicy);
        group.MapGet("/insurers/stats", async (ClaimLedger ledger, TimeProvider clock, CancellationToken ct) =>
            TypedResults.Ok(InsurerStats.Compute(await ledger.AllSinceAsync(clock.GetUtcNow().AddDays(-1), ct))));
        group.MapGet("/claims", ListClaims);
        group.MapGet("/embedded-insurers/{code}/inbox", Inbox);
        return app;
    }

    private static async Task<IResult> CaseClaims(Guid caseId, ClaimsPrincipal user, CaseHeads heads, ClaimLedger ledger, CancellationToken ct)
    {
        var head = await heads.FindAsync(caseId, ct);
        var access = head is null ? CaseAccessDecision.None : CaseAccessRule.Decide(user, head);
        if (!access.Sees)
        {
            return CaseResults.NoSuchCase(caseId);
        }

        if (!access.IsParty && !access.SeesPersonalData)
        {
            return CaseResults.NotHandling();
        }

        return TypedResults.Ok((await ledger.ForCaseAsync(caseId, ct))
            .Where(c => !access.IsParty || c.PartyId == access.PartyId)
            .Select(ClaimView.From).ToList());
    }

    /// <summary>Supervisors see every claim; an officer the claims of the cases it handled.</summary>
    private static async Task<Results<Ok<List<ClaimView>>, ProblemHttpResult>> ListClaims(
        string? status, int? limit, ClaimsPrincipal user, ClaimLedger ledger, CaseHeads heads, CancellationToken ct)
    {
        if (status is not null && status is not (ClaimStatus.Pending or ClaimStatus.Sent or ClaimStatus.Parked))
        {
            return Problems.Of(400, "Claims.Status");
        }

        var rows = await ledger.ByStatusAsync(status, Math.Clamp(limit ?? 100, 1, 1000), ct);
        var cases = await heads.FindAsync(rows.Select(r => r.CaseId), ct);
        return TypedResults.Ok(rows
            .Where(r => cases.TryGetValue(r.CaseId, out var head) && CaseAccessRule.Decide(user, head).SeesPersonalData)
            .Select(ClaimView.From).ToList());
    }

    /// <summary>
    /// The developer's view of what each embedded insurer received: whole claims with the insured's name, ID
    /// number and phone. Only claims of cases the caller handles (supervisors: all), each read audited.
    /// </summary>
    private static async Task<IResult> Inbox(string code, ClaimsPrincipal user, EmbeddedInboxReader reader, CaseHeads heads, ReadAudit audit, CancellationToken ct)
    {
        var items = await reader.ReadAsync(code, ct);
        var cases = await heads.FindAsync(items.Select(i => i.Claim.CaseId), ct);
        var visible = items.Where(i => cases.TryGetValue(i.Claim.CaseId, out var head) && CaseAccessRule.Decide(user, head).SeesPersonalData).ToList();
        foreach (var caseId in visible.Select(i => i.Claim.CaseId).Distinct())
        {
            await audit.RecordAsync(user, caseId, "name,idNumber,phone,policyNumber", $"embedded-insurers/{code}/inbox", ct);
        }

        return TypedResults.Ok(visible);
    }
}
