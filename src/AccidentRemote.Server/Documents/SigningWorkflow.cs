using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Data;
using AccidentRemote.Server.Evidence;
using AccidentRemote.Server.Insurers;
using Dapper;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Documents;

public sealed record IssueDocumentRequest(string? Weather, string? MediationResult);

public sealed record SignatureRequest(string? Png);

public sealed record ObjectionRequest(IReadOnlyList<string>? Reasons, string? Text);

/// <summary>A party on the document: when it signed the version shown, or its objection to that version instead (null: neither yet).</summary>
public sealed record SignatureView(Guid PartyId, int PartyNumber, DateTimeOffset? SignedAt, ObjectionView? Objection = null);

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
    Db db, CaseTransactions transactions, CaseStore cases, DocumentStore documents, SignatureStore signatures, ObjectionStore objections,
    IOptions<DocumentOptions> options, IOptions<InsurerOptions> insurers)
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
        var signed = await signatures.ForVersionAsync(caseId, SignedVersion(latest), ct);
        var objected = await objections.ForVersionAsync(caseId, SignedVersion(latest), ct);
        return new CaseDocumentView(latest.Id, latest.Number, latest.Version, latest.Status, latest.Sha256, latest.IssuedAt,
            latest.VerificationCode, options.Value.VerificationUrl(latest.VerificationCode),
            details!.Parties.Select(p => new SignatureView(p.Id, p.PartyNumber, signed.TryGetValue(p.Id, out var s) ? s.SignedAt : null,
                objected.GetValueOrDefault(p.Id))).ToList());
    }

    /// <summary>
    /// The officer issues the document for the parties to sign: the new version, the document fields on the case and the
    /// move to awaiting_signatures are one case transaction, so a refused move leaves no document version behind.
    /// </summary>
    public async Task<(CaseChange Change, IssuedDocument? Document)> IssueAsync(Guid caseId, Guid officerId, bool isSupervisor, IssueDocumentRequest request, CancellationToken ct)
    {
        var begin = await transactions.BeginAsync(caseId, new CaseActor.Officer(officerId, isSupervisor), "issue-document", ct);
        if (begin.Refused)
        {
            return (begin.Refusal, null);
        }

        await using var tx = begin.Transaction;
        var details = tx.Details;
        var missing = details.Parties.Where(p => p.Name is null || p.IdNumber is null).Select(p => p.PartyNumber).ToList();
        if (missing.Count > 0)
        {
            return (new CaseChange.WrongState(details.Case.Status,
                ServerText.Get("Document.NoIdentity", string.Join(", ", missing))), null);
        }

        var model = await ModelAsync(tx, details with { Case = WithDocumentFields(details.Case, request) }, null);
        if (model.Officer.BadgeNumber.Length == 0)
        {
            // The document is the unit's official act: it names the officer by 警号, never by a login name.
            return (new CaseChange.Invalid("badgeNumber",
                ServerText.Get("Document.BadgeMissing")), null);
        }

        var issued = await documents.IssueAsync(tx.Connection, tx.Transaction, caseId, model, DocumentStore.AwaitingSignaturesStatus, ct);
        // The weather and the mediation result are printed on the document and kept on the case row.
        await CaseWrites.SetDocumentFieldsAsync(tx, request.Weather, request.MediationResult);
        if (await tx.MoveToAsync(CaseStatus.AwaitingSignatures, $"document {issued.Number} v{issued.Version} sha256={issued.Sha256}") is { } lost)
        {
            return (lost, null);
        }

        return (await tx.CommitAsync(ct), issued);
    }

    /// <summary>
    /// A party signs the version it was shown. When that makes every party's signature, the
    /// final PDF is issued with all of them. Returns the document as it stands afterwards.
    /// </summary>
    public async Task<CaseChange> SignAsync(Guid caseId, Guid partyId, byte[] png, CancellationToken ct)
    {
        var begin = await transactions.BeginAsync(caseId, new CaseActor.Party(partyId), null, ct);
        if (begin.Refused)
        {
            return begin.Refusal;
        }

        bool allSigned;
        CaseChange change;
        int signedVersion;
        await using (var tx = begin.Transaction)
        {
            // One signer of a case at a time, so exactly one of them sees the last signature.
            await db.Dialect.LockAsync(tx.Connection, tx.Transaction, $"sign:{caseId}");
            var details = tx.Details;
            if (details.Case.Status != CaseStatus.AwaitingSignatures)
            {
                return new CaseChange.WrongState(details.Case.Status, ServerText.Get("Signature.NoneWaiting"));
            }

            var latest = (await DocumentStore.LatestAsync(tx.Connection, tx.Transaction, caseId))!;
            if (latest.Status != DocumentStore.AwaitingSignaturesStatus)
            {
                return new CaseChange.WrongState(details.Case.Status, ServerText.Get("Signature.AllSigned"));
            }

            var signature = await signatures.AddAsync(tx, partyId, latest.Version, png);
            if (signature is null)
            {
                return new CaseChange.WrongState(details.Case.Status, ServerText.Get("Signature.Already"));
            }

            // Signing a version the party objected to (after the officer explained) withdraws the objection; it stays on record.
            tx.Record("signed", $"v{latest.Version} signature sha256={signature.Sha256}", $"document {latest.Number} v{latest.Version} signature sha256={signature.Sha256}", signature);
            allSigned = signature.SignedSoFar == details.Parties.Count;
            signedVersion = latest.Version;
            change = await tx.CommitAsync(ct);
        }

        return allSigned ? await FinaliseAsync(caseId, signedVersion, ct) : change;
    }

    /// <summary>
    /// A party disagrees with the version it was asked to sign, instead of signing it: the objection is stored and recorded
    /// (event <c>objected</c>, which tells the officer's console). The case stays awaiting signatures: it cannot close until
    /// the officer handles it (revises liability and issues a new version, or escalates), or the party signs after all.
    /// Only while that version awaits this party's signature, once per party and version.
    /// </summary>
    public async Task<CaseChange> ObjectAsync(Guid caseId, Guid partyId, IReadOnlyList<string> reasons, string? text, CancellationToken ct)
    {
        var begin = await transactions.BeginAsync(caseId, new CaseActor.Party(partyId), null, ct);
        if (begin.Refused)
        {
            return begin.Refusal;
        }

        await using var tx = begin.Transaction;
        await db.Dialect.LockAsync(tx.Connection, tx.Transaction, $"sign:{caseId}");
        var details = tx.Details;
        var latest = details.Case.Status == CaseStatus.AwaitingSignatures ? await DocumentStore.LatestAsync(tx.Connection, tx.Transaction, caseId) : null;
        if (latest is null || latest.Status != DocumentStore.AwaitingSignaturesStatus)
        {
            return new CaseChange.WrongState(details.Case.Status, ServerText.Get("Objection.NothingToSign"));
        }

        var signed = await signatures.ForVersionAsync(tx.Connection, tx.Transaction, caseId, latest.Version);
        if (signed.ContainsKey(partyId))
        {
            return new CaseChange.WrongState(details.Case.Status, ServerText.Get("Objection.AlreadySigned"));
        }

        if (!await ObjectionStore.AddAsync(tx, partyId, latest.Version, reasons, text))
        {
            return new CaseChange.WrongState(details.Case.Status, ServerText.Get("Objection.AlreadyRecorded"));
        }

        var party = details.Parties.Single(p => p.Id == partyId);
        var objection = new ObjectionView(reasons, text, tx.Now);
        // The timeline and the audit log keep the reasons and the length of the text, not the text (it may name people).
        tx.Record("objected", $"v{latest.Version} party {party.PartyNumber} reasons={string.Join(',', reasons)} text={text?.Length ?? 0} characters",
            subject: new PartyObjection(partyId, party.PartyNumber, latest.Version, objection));
        return await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Issues the final version with every party's signature drawn in: the server's own change to the case,
    /// after the last signature committed (one signer of a case at a time, so exactly one of them gets here).
    /// </summary>
    private async Task<CaseChange> FinaliseAsync(Guid caseId, int signedVersion, CancellationToken ct)
    {
        var begin = await transactions.BeginAsync(caseId, CaseActor.System.Instance, null, ct);
        if (begin.Refused)
        {
            return begin.Refusal;
        }

        await using var tx = begin.Transaction;
        var model = await ModelAsync(tx, tx.Details, await signatures.ForVersionAsync(tx.Connection, tx.Transaction, caseId, signedVersion));
        var issued = await documents.IssueAsync(tx.Connection, tx.Transaction, caseId, model, DocumentStore.SignedStatus, ct);
        tx.Record("document_signed", $"document {issued.Number} v{issued.Version} sha256={issued.Sha256} signed on v{signedVersion}");
        return await tx.CommitAsync(ct);
    }

    /// <summary>The signatures that count for a document: for a signed final version, those given on the draft before it.</summary>
    private static int SignedVersion(IssuedDocument d) => d.Status == DocumentStore.SignedStatus ? d.Version - 1 : d.Version;

    private async Task<AccidentDocumentModel> ModelAsync(CaseTransaction tx, CaseDetails d, IReadOnlyDictionary<Guid, (byte[] Png, DateTimeOffset SignedAt)>? signatures)
    {
        var officer = await tx.Connection.QuerySingleOrDefaultAsync<OfficerRow>(
            "SELECT display_name, username, badge_number FROM officers WHERE id = @id", new { id = d.Case.OfficerId }, tx.Transaction);
        var insurerNames = insurers.Value.Catalogue.ToDictionary(i => i.Code, i => i.NameZh);
        var scenario = LiabilityRules.Scenarios.SingleOrDefault(s => s.Code == d.Case.LiabilityScenario);
        return new AccidentDocumentModel
        {
            AccidentTime = d.Case.AccidentTime,
            Weather = d.Case.Weather ?? "晴",
            Place = new DocumentPlace(d.Case.Address ?? $"{d.Case.Latitude:0.00000}, {d.Case.Longitude:0.00000}", d.Case.Latitude, d.Case.Longitude),
            Facts = d.Case.Facts ?? scenario?.NameZh ?? "—",
            MediationResult = d.Case.MediationResult,
            Officer = new DocumentOfficer(officer?.DisplayName ?? "—", officer?.BadgeNumber ?? ""),
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
            return (null, ServerText.Get("Signature.Missing"));
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
            return (null, ServerText.Get("Signature.Unreadable"));
        }

        if (bytes.Length > MaxSignatureBytes)
        {
            return (null, ServerText.Get("Signature.TooLarge", MaxSignatureBytes / 1024));
        }

        using var stream = new MemoryStream(bytes);
        var limits = new EvidenceOptions { MaxPixels = 4_000_000, MaxSide = 4000 };
        return EvidenceInspector.Inspect(stream, limits) switch
        {
            Inspection.Accepted { ContentType: EvidenceInspector.Png } => (bytes, null),
            Inspection.Accepted => (null, ServerText.Get("Signature.NotPng")),
            Inspection.Refused r => (null, ServerText.Get("Signature.Refused", r.Title, r.Detail)),
            _ => (null, ServerText.Get("Signature.NotPng")),
        };
    }

    private sealed class OfficerRow
    {
        public string DisplayName { get; set; } = "";

        public string Username { get; set; } = "";

        public string? BadgeNumber { get; set; }
    }
}
