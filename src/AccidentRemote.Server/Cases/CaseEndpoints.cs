using System.Security.Claims;
using AccidentRemote.Server.Audit;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Insurers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AccidentRemote.Server.Cases;

/// <summary>
/// The case's routes, by who asks: report and join (<see cref="ReportEndpoints"/>), join codes and
/// duplicates (<see cref="IntakeEndpoints"/>), the officer's handling (<see cref="HandlingEndpoints"/>),
/// abuse, a party's own requests (<see cref="PartyEndpoints"/>); here the case itself, its queue position and the rating.
/// </summary>
public static class CaseEndpoints
{
    public static IEndpointRouteBuilder MapCases(this IEndpointRouteBuilder app)
    {
        app.MapReports();
        app.MapIntake();
        var drivers = app.MapGroup("/api/cases").WithTags("Cases");
        drivers.MapGet("/{caseId:guid}", Get).RequireAuthorization(AuthExtensions.CasePolicy);
        drivers.MapPost("/{caseId:guid}/satisfaction", Rate).RequireAuthorization(AuthExtensions.PartyPolicy);
        app.MapGroup("/api").WithTags("Call").MapGet("/cases/{caseId:guid}/queue-position", QueuePosition).RequireAuthorization(AuthExtensions.CasePolicy);
        app.MapHandling();
        app.MapAbuseReports();
        app.MapPartyRequests();
        return app;
    }

    private static async Task<Results<Ok<CaseView>, ProblemHttpResult>> Get(Guid caseId, ClaimsPrincipal user, CaseStore store, PolicyIndex policies, ReadAudit audit, CancellationToken ct)
    {
        var details = await store.GetAsync(caseId, ct);
        var access = details is null ? CaseAccessDecision.None : CaseAccessRule.Decide(user, details.Case);
        if (details is null || !access.Sees)
        {
            return NotFound(caseId);
        }

        // The officer handling the case sees whether each vehicle's compulsory insurance (交强险) is in force.
        var compulsory = access.SeesPersonalData ? await policies.CompulsoryAsync(details.Case.AccidentTime, details.Parties.Select(p => (p.Id, p.Plate, p.InsurerCode)), ct) : null;
        return TypedResults.Ok(await CaseViews.ViewAsync(details, access, user, audit, "case", ct, compulsory));
    }

    private static async Task<IResult> Rate(Guid caseId, SatisfactionRequest request, ClaimsPrincipal user, CaseTransitions store, CancellationToken ct)
    {
        if (user.PartyCaseId() != caseId)
        {
            return NotFound(caseId);
        }

        var errors = new Dictionary<string, string[]>();
        if (request.Rating is null or < 1 or > 5)
        {
            errors["rating"] = [ServerText.Get("Rating.Range")];
        }

        if (request.Comment is { Length: > 500 })
        {
            errors["comment"] = [ServerText.Get("Rating.CommentTooLong")];
        }

        if (RequestValidation.UnsafeCharacter(request.Comment, multiline: true) is not null)
        {
            errors["comment"] = [UnsafeTextMessage];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid("Rating.Invalid", errors);
        }

        return await store.RateAsync(caseId, user.PartyId()!.Value, request.Rating!.Value, request.Comment?.Trim(), ct) switch
        {
            CaseChange.Done => TypedResults.NoContent(),
            CaseChange.WrongState s => CaseResults.StateConflict(s.Status, s.Reason),
            _ => NotFound(caseId),
        };
    }

    /// <summary>Where a waiting case stands in the queue and the expected wait, from the officers online now (Signalling's presence).</summary>
    private static async Task<Results<Ok<QueuePositionView>, ProblemHttpResult>> QueuePosition(
        Guid caseId, ClaimsPrincipal user, CaseStore cases, CaseHeads heads, IOfficersOnline officers, CancellationToken ct)
    {
        var head = await heads.FindAsync(caseId, ct);
        if (head is null || !CaseAccessRule.Decide(user, head).Sees)
        {
            return CaseResults.NoSuchCase(caseId);
        }

        var position = await cases.QueuePositionAsync(caseId, await officers.OfficersOnlineAsync(), ct);
        return position is null
            ? Problems.Of(409, "Queue.NotWaiting")
            : TypedResults.Ok(position);
    }

    /// <summary>The message for text with an invisible or control character, in the request's language.</summary>
    internal static string UnsafeTextMessage => ServerText.Get("Text.Unsafe");

    internal static ValidationProblem UnsafeText(string field) =>
        Problems.Invalid("Request.Invalid", new Dictionary<string, string[]> { [field] = [UnsafeTextMessage] });

    private static ProblemHttpResult NotFound(Guid caseId) => CaseResults.NoSuchCase(caseId);
}
