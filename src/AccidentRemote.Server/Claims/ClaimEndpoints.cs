using System.Security.Claims;
using AccidentRemote.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AccidentRemote.Server.Claims;

public static class ClaimEndpoints
{
    public static IEndpointRouteBuilder MapClaims(this IEndpointRouteBuilder app)
    {
        // A party sees its own claim (and the insurer's report number once it came); staff see all of a case's.
        app.MapGet("/api/cases/{caseId:guid}/claims", async (Guid caseId, ClaimsPrincipal user, ClaimOutbox outbox, CancellationToken ct) =>
            TypedResults.Ok((await outbox.ForCaseAsync(caseId, ct))
                .Where(c => !user.IsParty() || (user.PartyCaseId() == caseId && c.PartyId == user.PartyId()))
                .Select(ClaimView.From).ToList()))
            .WithTags("Claims").RequireAuthorization(AuthExtensions.CasePolicy);
        var group = app.MapGroup("/api").WithTags("Claims").RequireAuthorization(AuthExtensions.StaffPolicy);
        group.MapGet("/insurers/stats", async (ClaimOutbox outbox, TimeProvider clock, CancellationToken ct) =>
            TypedResults.Ok(InsurerStats.Compute(await outbox.AllSinceAsync(clock.GetUtcNow().AddDays(-1), ct))));
        group.MapGet("/claims", ListClaims);
        group.MapGet("/embedded-insurers/{code}/inbox", async (string code, EmbeddedInboxReader reader, CancellationToken ct) =>
            TypedResults.Ok(await reader.ReadAsync(code, ct)));
        return app;
    }

    private static async Task<Results<Ok<List<ClaimView>>, ProblemHttpResult>> ListClaims(string? status, int? limit, ClaimOutbox outbox, CancellationToken ct)
    {
        if (status is not null && status is not (ClaimStatus.Pending or ClaimStatus.Sent or ClaimStatus.Parked))
        {
            return TypedResults.Problem(statusCode: 400, title: "Unknown claim status.",
                detail: $"status must be one of {ClaimStatus.Pending}, {ClaimStatus.Sent}, {ClaimStatus.Parked}, or left out for all.");
        }

        var rows = await outbox.ByStatusAsync(status, Math.Clamp(limit ?? 100, 1, 1000), ct);
        return TypedResults.Ok(rows.Select(ClaimView.From).ToList());
    }
}
