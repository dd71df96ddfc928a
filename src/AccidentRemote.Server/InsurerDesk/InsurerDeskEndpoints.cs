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
            return Problems.Of(400, "Desk.Filter");
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
            ? Problems.Of(404, "Desk.NoDocument")
            : TypedResults.File((await documents.GetPdfAsync(all[0].Id, ct))!, "application/pdf", $"accident-document-{all[0].Number}.pdf");
    }

    private static async Task<IResult> Acknowledge(Guid claimId, AcknowledgeRequest request, ClaimsPrincipal user, ClaimLedger ledger, TimeProvider clock, CancellationToken ct)
    {
        var ack = new ClaimAcknowledged { ClaimId = claimId, InsurerCode = user.InsurerCode()!, ClaimReportNumber = request.ClaimReportNumber?.Trim() ?? "", AcknowledgedAt = clock.GetUtcNow() };
        var outcome = await ledger.RecordAcknowledgementAsync(ack, brokerUser: null, ct);
        return outcome.Result switch
        {
            AcknowledgementResult.Invalid =>
                Problems.Field("claimReportNumber", "Desk.ReportNumber"),
            AcknowledgementResult.UnknownClaim => NotFound(),
            AcknowledgementResult.AlreadyRecordedOtherwise =>
                Problems.Of(409, "Desk.Acknowledged", outcome.RecordedReportNumber),
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
            return Problems.Field("records", "Policy.Records");
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
                errors[$"[{i}].plate"] = [ServerText.Get("Policy.Plate")];
            }
            else if (!seen.Add(plate))
            {
                errors[$"[{i}].plate"] = [ServerText.Get("Policy.PlateTwice")];
            }

            if (r.InsurerCode is not null && r.InsurerCode != insurer)
            {
                errors[$"[{i}].insurerCode"] = [ServerText.Get("Policy.OwnInsurer", insurer)];
            }

            if (r.PolicyNumber is null || !CaseRules.IsValidPolicyNumber(r.PolicyNumber))
            {
                errors[$"[{i}].policyNumber"] = [ServerText.Get("Policy.Number")];
            }

            if (r.CompulsoryValidFrom is not { } from)
            {
                errors[$"[{i}].compulsoryValidFrom"] = [ServerText.Get("Policy.FromMissing")];
            }
            else if (from < now - CompulsoryInsurance.MaxStartInPast || from > now + CompulsoryInsurance.MaxStartInFuture)
            {
                errors[$"[{i}].compulsoryValidFrom"] = [ServerText.Get("Policy.FromRange", (int)CompulsoryInsurance.MaxStartInPast.TotalDays, (int)CompulsoryInsurance.MaxStartInFuture.TotalDays)];
            }

            if (r.CompulsoryValidTo is not { } to)
            {
                errors[$"[{i}].compulsoryValidTo"] = [ServerText.Get("Policy.ToMissing")];
            }
            else if (r.CompulsoryValidFrom is { } start && (to <= start || to - start > CompulsoryInsurance.MaxTerm))
            {
                errors[$"[{i}].compulsoryValidTo"] = [ServerText.Get("Policy.ToRange", (int)CompulsoryInsurance.MaxTerm.TotalDays)];
            }

            if (errors.Count == before)
            {
                valid.Add((plate, r.PolicyNumber!, r.CompulsoryValidFrom!.Value, r.CompulsoryValidTo!.Value));
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid("Policy.Invalid", errors);
        }

        return TypedResults.Ok(new { stored = await index.UpsertAsync(insurer, valid, ct) });
    }

    /// <summary>The insurer withdraws its own records for some plates (a cancelled policy). Plates go in the body, never the URL.</summary>
    private static async Task<IResult> Withdraw(List<string>? plates, ClaimsPrincipal user, PolicyIndex index, CancellationToken ct)
    {
        if (plates is null || plates.Count is 0 or > 1000)
        {
            return Problems.Field("plates", "Policy.Plates");
        }

        var normalized = plates.Select(p => p is null ? "" : CaseRules.NormalizePlate(p)).ToList();
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < normalized.Count; i++)
        {
            if (!CaseRules.IsValidPlate(normalized[i]))
            {
                errors[$"[{i}]"] = [ServerText.Get("Policy.Plate")];
            }
        }

        return errors.Count > 0
            ? Problems.Invalid("Policy.Withdraw", errors)
            : TypedResults.Ok(new { withdrawn = await index.WithdrawAsync(user.InsurerCode()!, normalized, ct) });
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NotFound() =>
        Problems.Of(404, "Desk.NoClaim");
}
