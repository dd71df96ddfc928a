using System.Security.Claims;
using System.Text.Json;
using AccidentRemote.Contracts.Claims;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Claims;
using AccidentRemote.Server.Documents;
using AccidentRemote.Server.Insurers;
using Microsoft.AspNetCore.RateLimiting;

namespace AccidentRemote.Server.InsurerDesk;

public sealed record DeskClaimItem(Guid ClaimId, Guid CaseId, string CaseNumber, string Status, DateTimeOffset CreatedAt, DateTimeOffset? SentAt,
    string? ClaimReportNumber, DateTimeOffset? AcknowledgedAt, string InsuredPlate, string Liability);

public sealed record DeskClaim(ClaimSubmitted Claim, string? ClaimReportNumber, DateTimeOffset? AcknowledgedAt);

public sealed record AcknowledgeRequest(string? ClaimReportNumber);

/// <summary>
/// The insurer desk: insurer staff see and answer only their own insurer's claims. The scope
/// comes from the signed-in user's insurer code, never from the request.
/// </summary>
public static class InsurerDeskEndpoints
{
    public static IEndpointRouteBuilder MapInsurerDesk(this IEndpointRouteBuilder app)
    {
        var desk = app.MapGroup("/api/insurer").WithTags("Insurer desk").RequireAuthorization(AuthExtensions.InsurerPolicy);
        desk.MapGet("/claims", List);
        desk.MapGet("/claims/{claimId:guid}", Get);
        desk.MapGet("/claims/{claimId:guid}/document.pdf", Pdf);
        desk.MapPost("/claims/{claimId:guid}/acknowledge", Acknowledge);
        desk.MapPost("/policies", Publish);
        desk.MapPost("/policies/withdraw", Withdraw);
        app.MapInsurerSuggestion();
        return app;
    }

    private static async Task<IResult> List(string? status, ClaimsPrincipal user, ClaimLedger ledger, CancellationToken ct)
    {
        if (status is not (null or "unacknowledged" or "acknowledged"))
        {
            return TypedResults.Problem(statusCode: 400, title: "Unknown filter.", detail: "status is unacknowledged, acknowledged, or left out for all.");
        }

        var rows = await ledger.ForInsurerAsync(user.InsurerCode()!, ct);
        return TypedResults.Ok(rows
            .Where(r => status is null || (status == "acknowledged") == (r.AcknowledgedAt is not null))
            .Select(r =>
            {
                var claim = JsonSerializer.Deserialize<ClaimSubmitted>(r.Payload, ClaimPayload.Json)!;
                return new DeskClaimItem(r.Id, r.CaseId, claim.CaseNumber, r.Status, r.CreatedAt, r.SentAt, r.ClaimReportNumber, r.AcknowledgedAt,
                    claim.Insured.Plate, claim.Insured.Liability);
            }).ToList());
    }

    private static async Task<IResult> Get(Guid claimId, ClaimsPrincipal user, ClaimLedger ledger, Audit.ReadAudit audit, Server.Evidence.EvidenceLinks links, CancellationToken ct)
    {
        var row = await ledger.FindAsync(claimId, ct);
        if (row is null || row.InsurerCode != user.InsurerCode())
        {
            return NotFound();
        }

        // The claim carries the insured's name, ID number and phone: insurer staff's reads are audited too.
        await audit.RecordAsync(user, row.CaseId, "name,idNumber,phone,policyNumber", $"insurer/claims/{claimId}", ct);

        // The claim's links expire (Evidence:LinkLifetime); the signed-in desk gets fresh ones for the same items,
        // bound to this claim, each serving the clean copy.
        var claim = JsonSerializer.Deserialize<ClaimSubmitted>(row.Payload, ClaimPayload.Json)!;
        var evidence = new List<ClaimEvidence>(claim.Evidence.Count);
        foreach (var e in claim.Evidence)
        {
            var (url, expires) = await links.SignAsync(claimId, e.Id, ct);
            evidence.Add(e with { Url = url, UrlExpiresAt = expires });
        }

        return TypedResults.Ok(new DeskClaim(claim with { Evidence = evidence }, row.ClaimReportNumber, row.AcknowledgedAt));
    }

    private static async Task<IResult> Pdf(Guid claimId, ClaimsPrincipal user, ClaimLedger ledger, DocumentStore documents, Audit.ReadAudit audit, CancellationToken ct)
    {
        var row = await ledger.FindAsync(claimId, ct);
        if (row is null || row.InsurerCode != user.InsurerCode())
        {
            return NotFound();
        }

        await audit.RecordAsync(user, row.CaseId, "name,idNumber,phone", $"insurer/claims/{claimId}/document.pdf", ct);

        var all = await documents.ListForCaseAsync(row.CaseId, ct);
        return all.Count == 0
            ? TypedResults.Problem(statusCode: 404, title: "The case has no document.")
            : TypedResults.File((await documents.GetPdfAsync(all[0].Id, ct))!, "application/pdf", $"accident-document-{all[0].Number}.pdf");
    }

    private static async Task<IResult> Acknowledge(Guid claimId, AcknowledgeRequest request, ClaimsPrincipal user, ClaimLedger ledger, TimeProvider clock, CancellationToken ct)
    {
        var ack = new ClaimAcknowledged { ClaimId = claimId, InsurerCode = user.InsurerCode()!, ClaimReportNumber = request.ClaimReportNumber?.Trim() ?? "", AcknowledgedAt = clock.GetUtcNow() };
        var outcome = await ledger.RecordAcknowledgementAsync(ack, brokerUser: null, ct);
        return outcome.Result switch
        {
            AcknowledgementResult.Invalid =>
                TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["claimReportNumber"] = ["The claim report number (报案号) has 1 to 64 letters, digits or '-'."] }),
            AcknowledgementResult.UnknownClaim => NotFound(),
            AcknowledgementResult.AlreadyRecordedOtherwise =>
                TypedResults.Problem(statusCode: 409, title: "This claim is already acknowledged.", detail: $"Its claim report number is {outcome.RecordedReportNumber}."),
            _ => TypedResults.NoContent(),
        };
    }

    /// <summary>
    /// An insurer publishes its own policy records: the insurer of every record is the signed-in
    /// one. All or nothing: one bad record stores none, with the reason per field.
    /// </summary>
    private static async Task<IResult> Publish(List<PolicyRecordInput>? records, ClaimsPrincipal user, PolicyIndex index, TimeProvider clock, CancellationToken ct)
    {
        if (records is null || records.Count is 0 or > 1000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["records"] = ["Send 1 to 1000 policy records: [{ plate, policyNumber, compulsoryValidFrom, compulsoryValidTo }]."] });
        }

        var insurer = user.InsurerCode()!;
        var now = clock.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        var valid = new List<(string, string, DateTimeOffset, DateTimeOffset)>();
        var seen = new HashSet<string>();
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            var before = errors.Count;
            var plate = r.Plate is null ? "" : CaseRules.NormalizePlate(r.Plate);
            if (!CaseRules.IsValidPlate(plate))
            {
                errors[$"[{i}].plate"] = ["Not a Chinese plate."];
            }
            else if (!seen.Add(plate))
            {
                errors[$"[{i}].plate"] = ["This plate is listed twice in the batch; send one record per plate."];
            }

            if (r.InsurerCode is not null && r.InsurerCode != insurer)
            {
                errors[$"[{i}].insurerCode"] = [$"You publish for your own insurer ({insurer}) only; leave insurerCode out or send {insurer}."];
            }

            if (r.PolicyNumber is null || !CaseRules.IsValidPolicyNumber(r.PolicyNumber))
            {
                errors[$"[{i}].policyNumber"] = ["5 to 40 letters, digits or '-'."];
            }

            if (r.CompulsoryValidFrom is not { } from)
            {
                errors[$"[{i}].compulsoryValidFrom"] = ["Required: when the compulsory insurance (交强险) starts, ISO 8601 with offset."];
            }
            else if (from < now - CompulsoryInsurance.MaxStartInPast || from > now + CompulsoryInsurance.MaxStartInFuture)
            {
                errors[$"[{i}].compulsoryValidFrom"] = [$"The start must be between {CompulsoryInsurance.MaxStartInPast.TotalDays:0} days ago and {CompulsoryInsurance.MaxStartInFuture.TotalDays:0} days ahead."];
            }

            if (r.CompulsoryValidTo is not { } to)
            {
                errors[$"[{i}].compulsoryValidTo"] = ["Required: when the compulsory insurance (交强险) ends, ISO 8601 with offset."];
            }
            else if (r.CompulsoryValidFrom is { } start && (to <= start || to - start > CompulsoryInsurance.MaxTerm))
            {
                errors[$"[{i}].compulsoryValidTo"] = [$"The end must be after the start and at most {CompulsoryInsurance.MaxTerm.TotalDays:0} days after it (交强险 runs one year at most)."];
            }

            if (errors.Count == before)
            {
                valid.Add((plate, r.PolicyNumber!, r.CompulsoryValidFrom!.Value, r.CompulsoryValidTo!.Value));
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Some policy records have errors; none were stored.");
        }

        return TypedResults.Ok(new { stored = await index.UpsertAsync(insurer, valid, ct) });
    }

    /// <summary>The insurer withdraws its own records for some plates (a cancelled policy). Plates go in the body, never the URL.</summary>
    private static async Task<IResult> Withdraw(List<string>? plates, ClaimsPrincipal user, PolicyIndex index, CancellationToken ct)
    {
        if (plates is null || plates.Count is 0 or > 1000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["plates"] = ["Send 1 to 1000 plates: [\"京A12345\", ...]."] });
        }

        var normalized = plates.Select(p => p is null ? "" : CaseRules.NormalizePlate(p)).ToList();
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < normalized.Count; i++)
        {
            if (!CaseRules.IsValidPlate(normalized[i]))
            {
                errors[$"[{i}]"] = ["Not a Chinese plate."];
            }
        }

        return errors.Count > 0
            ? TypedResults.ValidationProblem(errors, title: "Some plates have errors; nothing was withdrawn.")
            : TypedResults.Ok(new { withdrawn = await index.WithdrawAsync(user.InsurerCode()!, normalized, ct) });
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NotFound() =>
        TypedResults.Problem(statusCode: 404, title: "No such claim.", detail: "There is no claim with this id for your insurer.");
}
