using System.Security.Claims;
using System.Security.Cryptography;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Data;
using AccidentRemote.Server.Evidence;
using AccidentRemote.Server.Insurers;
using AccidentRemote.Server.Signalling;
using Dapper;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Documents;

public sealed record PartyDetailsRequest(string? Name, string? IdNumber);

public sealed record IssueDocumentRequest(string? Weather, string? MediationResult);

public sealed record SignatureRequest(string? Png);

public sealed record SignatureView(Guid PartyId, int PartyNumber, DateTimeOffset? SignedAt);

public sealed record CaseDocumentView(
    Guid Id, string Number, int Version, string Status, string Sha256, DateTimeOffset IssuedAt, string VerificationCode, string VerifyUrl,
    IReadOnlyList<SignatureView> Signatures);

/// <summary>
/// From the liability decision to the signed document: the parties give their names and ID
/// numbers, the officer issues the document, each party reads it on the phone and signs on a
/// canvas, and when the last one has signed the final PDF is made with every signature in it.
/// A change to liability or to a party's details after that voids the signatures.
/// </summary>
public sealed class SigningWorkflow(
    Db db, CaseStore cases, DocumentStore documents, IOptions<DocumentOptions> options, IOptions<InsurerOptions> insurers, TimeProvider clock)
{
    public static readonly IReadOnlyList<string> Weathers = ["晴", "阴", "多云", "雨", "雪", "雾", "霾", "大风"];

    public const int MaxSignatureBytes = 300 * 1024;

    /// <summary>The document the parties see now (the newest version), with who signed it.</summary>
    public async Task<CaseDocumentView?> CurrentAsync(Guid caseId, CancellationToken ct)
    {
        var all = await documents.ListForCaseAsync(caseId, ct);
        var latest = all.Count > 0 ? all[0] : null;
        if (latest is null)
        {
            return null;
        }

        var details = await cases.GetAsync(caseId, ct);
        var signed = await SignaturesAsync(caseId, SignedVersion(latest), ct);
        return new CaseDocumentView(latest.Id, latest.Number, latest.Version, latest.Status, latest.Sha256, latest.IssuedAt,
            latest.VerificationCode, options.Value.VerificationUrl(latest.VerificationCode),
            details!.Parties.Select(p => new SignatureView(p.Id, p.PartyNumber, signed.TryGetValue(p.Id, out var s) ? s.SignedAt : null)).ToList());
    }

    /// <summary>The officer issues the document for the parties to sign.</summary>
    public async Task<(CaseChange Change, IssuedDocument? Document)> IssueAsync(Guid caseId, Guid officerId, bool isSupervisor, IssueDocumentRequest request, CancellationToken ct)
    {
        var details = await cases.GetAsync(caseId, ct);
        if (details is null)
        {
            return (new CaseChange.NotFound(), null);
        }

        if (CaseStateMachine.Refusal("issue-document", details.Case.Status) is { } refusal)
        {
            return (new CaseChange.WrongState(details.Case.Status, refusal), null);
        }

        if (details.Case.OfficerId != officerId && !isSupervisor)
        {
            return (new CaseChange.NotYours(details.Case.OfficerId), null);
        }

        var missing = details.Parties.Where(p => p.Name is null || p.IdNumber is null).Select(p => p.PartyNumber).ToList();
        if (missing.Count > 0)
        {
            return (new CaseChange.WrongState(details.Case.Status,
                $"Party {string.Join(", ", missing)} has not yet given a name and ID number (PUT /api/cases/{caseId}/parties/me on the driver's phone)."), null);
        }

        var model = await ModelAsync(details with { Case = WithDocumentFields(details.Case, request) }, null, ct);
        var issued = await documents.IssueAsync(caseId, model, ct, DocumentStore.AwaitingSignaturesStatus);
        var change = await cases.OfficerTransitionAsync(caseId, officerId, isSupervisor, "issue-document", async (c, tx, _, _) =>
        {
            await c.ExecuteAsync("UPDATE cases SET weather = @Weather, mediation_result = @MediationResult WHERE id = @caseId",
                new { request.Weather, request.MediationResult, caseId }, tx);
            return null;
        }, $"document {issued.Number} v{issued.Version} sha256={issued.Sha256}", ct);
        return (change, issued);
    }

    /// <summary>
    /// A party signs the version it was shown. When that makes every party's signature, the
    /// final PDF is issued with all of them. Returns the document as it stands afterwards.
    /// </summary>
    public async Task<CaseChange> SignAsync(Guid caseId, Guid partyId, byte[] png, CancellationToken ct)
    {
        var details = await cases.GetAsync(caseId, ct);
        if (details is null || details.Parties.All(p => p.Id != partyId))
        {
            return new CaseChange.NotFound();
        }

        if (details.Case.Status != CaseStatus.AwaitingSignatures)
        {
            return new CaseChange.WrongState(details.Case.Status, "There is no document waiting for signatures: the officer issues it after deciding liability.");
        }

        var latest = (await documents.ListForCaseAsync(caseId, ct))[0];
        if (latest.Status != DocumentStore.AwaitingSignaturesStatus)
        {
            return new CaseChange.WrongState(details.Case.Status, "The document is already signed by every party.");
        }

        var now = clock.GetUtcNow();
        var allSigned = false;
        await using (var c = await db.OpenAsync(ct))
        {
            await using var tx = await c.BeginTransactionAsync(ct);
            // One signer of a case at a time, so exactly one of them sees the last signature.
            await db.Dialect.LockAsync(c, tx, $"sign:{caseId}");

            var sha = Convert.ToHexStringLower(SHA256.HashData(png));
            var inserted = await c.ExecuteAsync("""
                INSERT INTO signatures (id, case_id, party_id, document_version, signed_at, sha256, png)
                VALUES (@id, @caseId, @partyId, @version, @now, @sha, @png)
                ON CONFLICT (party_id, document_version) DO NOTHING
                """, new { id = Guid.NewGuid(), caseId, partyId, version = latest.Version, now, sha, png }, tx);
            if (inserted == 0)
            {
                return new CaseChange.WrongState(details.Case.Status, "You have already signed this version of the document.");
            }

            await c.ExecuteAsync(
                "INSERT INTO case_events (id, case_id, kind, actor, at, detail) VALUES (@id, @caseId, 'signed', @actor, @now, @detail)",
                new { id = Guid.NewGuid(), caseId, actor = $"party:{partyId}", now, detail = $"v{latest.Version} signature sha256={sha}" }, tx);
            await AuditLog.AppendAsync(c, tx, db.Provider, new AuditEntry($"party:{partyId}", "signed", caseId, $"document {latest.Number} v{latest.Version} signature sha256={sha}"), now);
            var count = await c.ExecuteScalarAsync<int>(
                "SELECT COUNT(*) FROM signatures WHERE case_id = @caseId AND document_version = @version", new { caseId, version = latest.Version }, tx);
            allSigned = count == details.Parties.Count;
            await tx.CommitAsync(ct);
        }

        if (allSigned)
        {
            await FinaliseAsync(caseId, latest.Version, ct);
        }

        return new CaseChange.Done((await cases.GetAsync(caseId, ct))!);
    }

    /// <summary>Issues the final version with every party's signature drawn in.</summary>
    private async Task FinaliseAsync(Guid caseId, int signedVersion, CancellationToken ct)
    {
        var details = (await cases.GetAsync(caseId, ct))!;
        var signatures = await SignaturesAsync(caseId, signedVersion, ct);
        var model = await ModelAsync(details, signatures, ct);
        var issued = await documents.IssueAsync(caseId, model, ct, DocumentStore.SignedStatus);
        await cases.RecordEventAsync(caseId, "document_signed", "system", $"document {issued.Number} v{issued.Version} sha256={issued.Sha256} signed on v{signedVersion}", ct);
    }

    /// <summary>The signatures that count for a document: for a signed final version, those given on the draft before it.</summary>
    private static int SignedVersion(IssuedDocument d) => d.Status == DocumentStore.SignedStatus ? d.Version - 1 : d.Version;

    private async Task<Dictionary<Guid, (byte[] Png, DateTimeOffset SignedAt)>> SignaturesAsync(Guid caseId, int version, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<SignatureRow>(
            "SELECT party_id, png, signed_at FROM signatures WHERE case_id = @caseId AND document_version = @version", new { caseId, version });
        return rows.ToDictionary(r => r.PartyId, r => (r.Png, r.SignedAt));
    }

    private async Task<AccidentDocumentModel> ModelAsync(CaseDetails d, Dictionary<Guid, (byte[] Png, DateTimeOffset SignedAt)>? signatures, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var officer = await c.QuerySingleOrDefaultAsync<OfficerRow>(
            "SELECT display_name, username, badge_number FROM officers WHERE id = @id", new { id = d.Case.OfficerId });
        var insurerNames = insurers.Value.Catalogue.ToDictionary(i => i.Code, i => i.NameZh);
        var scenario = LiabilityRules.Scenarios.SingleOrDefault(s => s.Code == d.Case.LiabilityScenario);
        return new AccidentDocumentModel
        {
            AccidentTime = d.Case.AccidentTime,
            Weather = d.Case.Weather ?? "晴",
            Place = new DocumentPlace(d.Case.Address ?? $"{d.Case.Latitude:0.00000}, {d.Case.Longitude:0.00000}", d.Case.Latitude, d.Case.Longitude),
            Facts = d.Case.Facts ?? scenario?.NameZh ?? "—",
            MediationResult = d.Case.MediationResult,
            Officer = new DocumentOfficer(officer?.DisplayName ?? "—", officer?.BadgeNumber ?? officer?.Username ?? "—"),
            Parties = d.Parties.Select(p => new DocumentParty
            {
                PartyNumber = p.PartyNumber,
                Name = p.Name ?? "",
                LicenceOrIdNumber = p.IdNumber ?? "",
                Phone = p.Phone,
                VehicleType = p.VehicleType,
                Plate = p.Plate,
                InsurerName = p.InsurerCode is null ? null : insurerNames.GetValueOrDefault(p.InsurerCode, p.InsurerCode),
                PolicyNumber = p.PolicyNumber,
                Liability = p.Liability ?? "undetermined",
                SignaturePng = signatures is not null && signatures.TryGetValue(p.Id, out var s) ? s.Png : null,
                SignedAt = signatures is not null && signatures.TryGetValue(p.Id, out var t) ? t.SignedAt : null,
            }).ToList(),
        };
    }

    private static CaseRow WithDocumentFields(CaseRow row, IssueDocumentRequest request)
    {
        row.Weather = request.Weather;
        row.MediationResult = request.MediationResult;
        return row;
    }

    /// <summary>Checks a canvas signature: a PNG of sensible size, read from its header without decoding.</summary>
    public static (byte[]? Png, string? Problem) ReadSignature(string? base64)
    {
        if (string.IsNullOrEmpty(base64))
        {
            return (null, "Send the signature as a PNG, base64-encoded (canvas.toDataURL('image/png'); a data: prefix is fine).");
        }

        var comma = base64.IndexOf(',', StringComparison.Ordinal);
        var data = base64.StartsWith("data:", StringComparison.Ordinal) && comma > 0 ? base64[(comma + 1)..] : base64;
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(data);
        }
        catch (FormatException)
        {
            return (null, "The signature is not valid base64.");
        }

        if (bytes.Length > MaxSignatureBytes)
        {
            return (null, $"The signature image is larger than {MaxSignatureBytes / 1024} KiB; send the canvas at its on-screen size.");
        }

        using var stream = new MemoryStream(bytes);
        var limits = new EvidenceOptions { MaxPixels = 4_000_000, MaxSide = 4000 };
        return EvidenceInspector.Inspect(stream, limits) switch
        {
            Inspection.Accepted { ContentType: EvidenceInspector.Png } => (bytes, null),
            Inspection.Accepted => (null, "The signature must be a PNG image."),
            Inspection.Refused r => (null, $"The signature image was refused: {r.Title} {r.Detail}"),
            _ => (null, "The signature image was refused."),
        };
    }

    private sealed class SignatureRow
    {
        public Guid PartyId { get; set; }

        public byte[] Png { get; set; } = [];

        public DateTimeOffset SignedAt { get; set; }
    }

    private sealed class OfficerRow
    {
        public string DisplayName { get; set; } = "";

        public string Username { get; set; } = "";

        public string? BadgeNumber { get; set; }
    }
}
