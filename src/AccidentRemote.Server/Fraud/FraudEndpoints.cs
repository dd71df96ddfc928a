using System.Security.Claims;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Data;

namespace AccidentRemote.Server.Fraud;

public static class FraudEndpoints
{
    /// <summary><c>GET /api/cases/{id}/fraud-signals</c>: the signals of a case as they stand now, for the officer who handles it.</summary>
    public static IEndpointRouteBuilder MapFraud(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cases/{caseId:guid}/fraud-signals", SignalsAsync).WithTags("Officer handling").RequireAuthorization(AuthExtensions.StaffPolicy);
        return app;
    }

    private static async Task<IResult> SignalsAsync(Guid caseId, ClaimsPrincipal user, CaseHeads heads, CaseStore cases, Db db, TimeProvider clock, CancellationToken ct)
    {
        var head = await heads.FindAsync(caseId, ct);
        var access = head is null ? CaseAccessDecision.None : CaseAccessRule.Decide(user, head);
        if (!access.Sees)
        {
            return CaseResults.NoSuchCase(caseId);
        }

        if (!access.SeesPersonalData)
        {
            return CaseResults.NotHandling();
        }

        var details = await cases.GetAsync(caseId, ct);
        if (details is null)
        {
            return CaseResults.NoSuchCase(caseId);
        }

        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok(await FraudSignals.ComputeAsync(c, null, details, clock.GetUtcNow()));
    }
}
