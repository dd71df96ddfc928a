using System.Security.Claims;
using AccidentRemote.Server.Audit;
using AccidentRemote.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AccidentRemote.Server.Cases;

/// <summary>
/// The officer's handling of a case, each step a <see cref="CaseTransitions"/> change: the queue, accept,
/// cars moved, liability, escalate, abandon, close. The pages are told by the case transaction's observer.
/// </summary>
public static class HandlingEndpoints
{
    public static readonly IReadOnlyList<string> AbandonReasons = ["driver_left", "no_answer"];

    public static IEndpointRouteBuilder MapHandling(this IEndpointRouteBuilder app)
    {
        var officers = app.MapGroup("/api").WithTags("Officer handling").RequireAuthorization(AuthExtensions.StaffPolicy);
        officers.MapGet("/queue", async (CaseStore store, CancellationToken ct) => TypedResults.Ok(await store.QueueAsync(ct)));
        officers.MapPost("/cases/{caseId:guid}/accept", async (Guid caseId, ClaimsPrincipal user, CaseTransitions store, CaseMetrics metrics, ReadAudit audit, CancellationToken ct) =>
            await Respond(await store.AcceptAsync(caseId, user.OfficerId(), ct), metrics, user, audit, ct));
        officers.MapPost("/cases/{caseId:guid}/vehicles-moved", async (Guid caseId, ClaimsPrincipal user, CaseTransitions store, CaseMetrics metrics, ReadAudit audit, CancellationToken ct) =>
            await Respond(await store.RecordVehiclesMovedAsync(caseId, user.OfficerId(), user.IsInRole(Roles.Supervisor), ct), metrics, user, audit, ct));
        officers.MapPut("/cases/{caseId:guid}/liability", RecordLiability);
        // The scenario names (no personal data): the officer's choices, and the words a party reads on the decision before signing.
        app.MapGet("/api/liability/scenarios", () => TypedResults.Ok(LiabilityRules.Scenarios)).WithTags("Officer handling")
            .RequireAuthorization(AuthExtensions.CasePolicy);
        officers.MapPost("/cases/{caseId:guid}/escalate", async (Guid caseId, ReasonRequest request, ClaimsPrincipal user, CaseTransitions store, CaseMetrics metrics, ReadAudit audit, CancellationToken ct) =>
            RequestValidation.UnsafeCharacter(request.Note, multiline: true) is not null
                ? CaseEndpoints.UnsafeText("note")
                : Escalation.OfficerReasons.Contains(request.Reason ?? "")
                ? await Respond(await store.EscalateAsync(caseId, user.OfficerId(), user.IsInRole(Roles.Supervisor), request.Reason!, Trim(request.Note), ct), metrics, user, audit, ct)
                : Reasons("reason", Escalation.OfficerReasons));
        officers.MapPost("/cases/{caseId:guid}/abandon", async (Guid caseId, ReasonRequest request, ClaimsPrincipal user, CaseTransitions store, CaseMetrics metrics, ReadAudit audit, CancellationToken ct) =>
            AbandonReasons.Contains(request.Reason ?? "")
                ? await Respond(await store.AbandonAsync(caseId, user.OfficerId(), user.IsInRole(Roles.Supervisor), request.Reason!, ct), metrics, user, audit, ct)
                : Reasons("reason", AbandonReasons));
        officers.MapPost("/cases/{caseId:guid}/close", async (Guid caseId, ClaimsPrincipal user, CaseTransitions store, CaseMetrics metrics, ReadAudit audit, CancellationToken ct) =>
            await Respond(await store.CloseAsync(caseId, user.OfficerId(), user.IsInRole(Roles.Supervisor), ct), metrics, user, audit, ct));
        return app;
    }

    /// <summary>Trimmed, or null when blank. Cuts nothing: facts over 2000 characters are refused by <see cref="LiabilityRules"/>.</summary>
    private static string? TrimOrNull(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>Trimmed and cut at 500 characters, or null when blank.</summary>
    private static string? Trim(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim()[..Math.Min(s.Trim().Length, 500)];

    private static ValidationProblem Reasons(string field, IReadOnlyList<string> allowed) =>
        Problems.Invalid("Request.Invalid", new Dictionary<string, string[]> { [field] = [ServerText.Get("Reason.Choose")] });

    private static async Task<IResult> RecordLiability(
        Guid caseId, LiabilityRequest request, ClaimsPrincipal user, CaseStore store, CaseTransitions transitions, CaseMetrics metrics, ReadAudit audit, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Scenario is null || LiabilityRules.Scenarios.All(x => x.Code != request.Scenario))
        {
            errors["scenario"] = [ServerText.Get("Liability.Scenario")];
        }

        var shares = new List<(Guid PartyId, string Liability)>();
        if (request.Parties is { Count: > 0 })
        {
            for (var i = 0; i < request.Parties.Count; i++)
            {
                var p = request.Parties[i];
                if (p.PartyId is null)
                {
                    errors[$"parties[{i}].partyId"] = [ServerText.Get("Liability.PartyId")];
                }

                if (p.Liability is null || !Liability.Values.Contains(p.Liability))
                {
                    errors[$"parties[{i}].liability"] = [ServerText.Get("Liability.Value")];
                }
                else if (p.PartyId is { } id)
                {
                    shares.Add((id, p.Liability));
                }
            }
        }
        else if (request.AtFaultPartyId is null)
        {
            errors["parties"] = [ServerText.Get("Liability.PartiesMissing")];
        }

        if (RequestValidation.UnsafeCharacter(request.Facts, multiline: true) is not null)
        {
            errors["facts"] = [CaseEndpoints.UnsafeTextMessage];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid("Liability.Invalid", errors);
        }

        if (shares.Count == 0)
        {
            var details = await store.GetAsync(caseId, ct);
            var suggested = details is null ? null : LiabilityRules.Suggest(request.Scenario!, request.AtFaultPartyId!.Value, details.Parties.Select(p => p.Id));
            if (suggested is null || details!.Parties.All(p => p.Id != request.AtFaultPartyId))
            {
                return Problems.Invalid("Liability.Invalid", new Dictionary<string, string[]> { ["parties"] = [ServerText.Get("Liability.NoSuggestion")] });
            }

            shares = suggested.ToList();
        }

        var decision = new LiabilityDecision(request.Scenario!, TrimOrNull(request.Facts), shares);
        return await Respond(await transitions.RecordLiabilityAsync(caseId, user.OfficerId(), user.IsInRole(Roles.Supervisor), decision, ct), metrics, user, audit, ct);
    }

    /// <summary>After a change committed (the pages are told by the observer): the step's metric, and the case as the caller may see it now.</summary>
    private static async Task<IResult> Respond(CaseChange change, CaseMetrics metrics, ClaimsPrincipal user, ReadAudit audit, CancellationToken ct)
    {
        if (change is CaseChange.Done done)
        {
            metrics.StateReached(done.Case.Case);
            // An officer who escalated a waiting case does not handle it.
            return TypedResults.Ok(await CaseViews.ViewAsync(done.Case, CaseAccessRule.Decide(user, done.Case.Case), user, audit, "change", ct));
        }

        return CaseResults.Refusal(change);
    }
}
