using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Claims;
using AccidentRemote.Server.Data;
using AccidentRemote.Server.Documents;
using AccidentRemote.Server.Evidence;
using Dapper;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Privacy;

/// <summary>What one purge round removed.</summary>
public sealed record PurgeReport(int EvidenceFiles, int Parties, int StaffSessions, int CasesWaitingForClaims);

/// <summary>The outcome of an early erasure.</summary>
public abstract record EraseResult
{
    public sealed record Erased(Guid CaseId, int Parties, int EvidenceFiles) : EraseResult;

    public sealed record NotFound : EraseResult;

    /// <summary>The law or the insurers still need the data; <see cref="Reason"/> says which.</summary>
    public sealed record Refused(string Reason) : EraseResult;
}

/// <summary>
/// Removes personal data that is due (retention) or asked for (erasure), and gathers what is held
/// about one person (export). Every removal is an entry in the hash-chained audit log, written in
/// the same transaction, that says what was removed and carries the SHA-256 of what it was: the
/// chain is only ever appended to, so it verifies before and after. The evidence row (with the
/// file's hash) and the signed accident document are kept: see docs/security.md#privacy-by-design-pipl-consent-retention-export-erasure.
/// </summary>
public sealed class PrivacyStore(Db db, EvidenceBlobs blobs, IOptions<PrivacyOptions> options, TimeProvider clock, ILogger<PrivacyStore> logger)
{
    public const string SystemActor = "system:retention";

    private static readonly string EndedList = string.Join(", ", new[] { CaseStatus.Closed, CaseStatus.Escalated, CaseStatus.Abandoned }.Select(s => $"'{s}'"));

    // When a case ended: closed or escalated at, or the time of its abandonment event.
    private const string EndedAt = """
        COALESCE(k.closed_at, k.escalated_at, (SELECT MIN(ev.at) FROM case_events ev WHERE ev.case_id = k.id AND ev.kind = 'abandoned'))
        """;

    private const string UnansweredClaim = "EXISTS (SELECT 1 FROM claims cl WHERE cl.case_id = k.id AND cl.acknowledged_at IS NULL)";

    private static readonly JsonSerializerOptions ExportJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>One round: evidence files, personal fields and staff sessions past their retention.</summary>
    public async Task<PurgeReport> PurgeAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var o = options.Value;
        var batch = o.PurgeBatchSize;
        int files = 0, parties = 0, waiting;

        await using (var c = await db.OpenAsync(ct))
        {
            var evidenceCases = (await c.QueryAsync<Guid>($"""
                SELECT k.id FROM cases k
                WHERE k.status IN ({EndedList}) AND {EndedAt} <= @cutoff
                  AND EXISTS (SELECT 1 FROM evidence e WHERE e.case_id = k.id AND e.file_purged_at IS NULL)
                LIMIT {batch}
                """, new { cutoff = now - o.Retention.EvidenceFiles })).ToList();
            foreach (var caseId in evidenceCases)
            {
                files += await InTransactionAsync((cx, tx) => RemoveEvidenceFilesAsync(cx, tx, caseId, SystemActor, "retention", now), ct);
            }

            // A claim the insurer has not answered yet still needs its insured's data: those cases wait.
            var personalCases = (await c.QueryAsync<Guid>($"""
                SELECT k.id FROM cases k
                WHERE k.status IN ({EndedList}) AND {EndedAt} <= @cutoff AND NOT {UnansweredClaim}
                  AND EXISTS (SELECT 1 FROM parties p WHERE p.case_id = k.id AND p.personal_data_removed_at IS NULL)
                LIMIT {batch}
                """, new { cutoff = now - o.Retention.PersonalData })).ToList();
            foreach (var caseId in personalCases)
            {
                parties += await InTransactionAsync((cx, tx) => RemovePersonalFieldsAsync(cx, tx, caseId, SystemActor, "retention", now), ct);
            }

            waiting = await c.ExecuteScalarAsync<int>($"""
                SELECT COUNT(*) FROM cases k
                WHERE k.status IN ({EndedList}) AND {EndedAt} <= @cutoff AND {UnansweredClaim}
                  AND EXISTS (SELECT 1 FROM parties p WHERE p.case_id = k.id AND p.personal_data_removed_at IS NULL)
                """, new { cutoff = now - o.Retention.PersonalData });
        }

        var sessions = await InTransactionAsync((c, tx) => RemoveStaffSessionsAsync(c, tx, now - o.Retention.StaffSessions, now), ct);
        var report = new PurgeReport(files, parties, sessions, waiting);
        if (files + parties + sessions > 0 || waiting > 0)
        {
            logger.LogInformation("Retention purge: {Files} evidence files, personal data of {Parties} parties, {Sessions} staff sessions removed; {Waiting} ended cases wait for an insurer's answer",
                files, parties, sessions, waiting);
        }

        return report;
    }

    /// <summary>
    /// Removes a case's personal data before its retention ends, when a supervisor is asked to
    /// (PIPL art. 47). Refused while the case is open and while an insurer has not answered a claim.
    /// </summary>
    public async Task<EraseResult> EraseCaseAsync(Guid caseId, string actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var status = await c.QuerySingleOrDefaultAsync<string>("SELECT status FROM cases WHERE id = @caseId", new { caseId }, tx);
        if (status is null)
        {
            return new EraseResult.NotFound();
        }

        if (status is not (CaseStatus.Closed or CaseStatus.Escalated or CaseStatus.Abandoned))
        {
            return new EraseResult.Refused(
                ServerText.Get("Erase.Open", CaseResults.StatusInWords(status)));
        }

        var unanswered = (await c.QueryAsync<string>(
            "SELECT insurer_code FROM claims WHERE case_id = @caseId AND acknowledged_at IS NULL ORDER BY insurer_code", new { caseId }, tx)).ToList();
        if (unanswered.Count > 0)
        {
            return new EraseResult.Refused(
                ServerText.Get("Erase.Unanswered", string.Join(", ", unanswered)));
        }

        await AuditLog.AppendAsync(c, tx, db.Provider, new AuditEntry(actor, "erasure_requested", caseId, "early erasure of the case's personal data"), now);
        var files = await RemoveEvidenceFilesAsync(c, tx, caseId, actor, "erasure", now);
        var parties = await RemovePersonalFieldsAsync(c, tx, caseId, actor, "erasure", now);
        await tx.CommitAsync(ct);
        return new EraseResult.Erased(caseId, parties, files);
    }

    /// <summary>Everything held about the person with this phone number or ID number, and an audit entry saying it was exported.</summary>
    public async Task<PersonExport> ExportAsync(string? phone, string? idNumber, string actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var normalizedPhone = phone is null ? null : CaseRules.NormalizePhone(phone);
        var normalizedId = idNumber?.Trim().ToUpperInvariant();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var parties = (await c.QueryAsync<ExportParty>("""
            SELECT id, case_id, party_number, phone, plate, vehicle_type, insurer_code, policy_number, liability, joined_at, other_plate,
                   name, id_number, device_latitude, device_longitude, satisfaction_rating, satisfaction_comment, rated_at,
                   consent_version, consent_language, consented_at, personal_data_removed_at
            FROM parties WHERE (@phone IS NOT NULL AND phone = @phone) OR (@id IS NOT NULL AND id_number = @id)
            ORDER BY joined_at
            """, new { phone = normalizedPhone, id = normalizedId }, tx)).ToList();

        var cases = new List<ExportCase>();
        foreach (var party in parties)
        {
            var k = await c.QuerySingleAsync<ExportCaseRow>("""
                SELECT id, case_number, status, accident_time, latitude, longitude, address, reported_at, closed_at, escalated_at, liability_scenario, facts
                FROM cases WHERE id = @id
                """, new { id = party.CaseId }, tx);
            var evidence = (await c.QueryAsync<ExportEvidence>("""
                SELECT id, party_id, kind, angle, content_type, size, sha256, captured_by, captured_at, latitude, longitude, file_purged_at
                FROM evidence WHERE case_id = @caseId AND (party_id IS NULL OR party_id = @partyId) ORDER BY captured_at
                """, new { caseId = party.CaseId, partyId = party.Id }, tx)).ToList();
            var documents = (await c.QueryAsync<ExportDocument>(
                "SELECT id, number, version, status, sha256, issued_at FROM documents WHERE case_id = @caseId ORDER BY version", new { caseId = party.CaseId }, tx)).ToList();
            var signatures = (await c.QueryAsync<ExportSignature>(
                "SELECT document_version, signed_at, sha256 FROM signatures WHERE party_id = @partyId ORDER BY document_version", new { partyId = party.Id }, tx)).ToList();
            var claims = (await c.QueryAsync<ExportClaim>(
                "SELECT id, insurer_code, status, created_at, sent_at, acknowledged_at, claim_report_number FROM claims WHERE party_id = @partyId", new { partyId = party.Id }, tx)).ToList();
            var partyText = party.Id.ToString("D");
            var audit = (await c.QueryAsync<ExportAudit>("""
                SELECT seq, at, actor, kind, detail FROM audit_log
                WHERE case_id = @caseId AND (actor = @actor OR detail LIKE @like)
                ORDER BY seq
                """, new { caseId = party.CaseId, actor = $"party:{partyText}", like = $"%{partyText}%" }, tx)).ToList();
            var consent = party.ConsentVersion is null ? null : new PartyConsent(party.ConsentVersion, party.ConsentLanguage ?? "", party.ConsentedAt ?? party.JoinedAt);
            cases.Add(new ExportCase(party, consent, k, evidence, documents, signatures, claims, audit));
        }

        var query = normalizedPhone is not null ? $"phone sha256={Sha256(normalizedPhone)}" : $"id number sha256={Sha256(normalizedId ?? "")}";
        // The entry names what was looked for only by its hash: the audit log holds no phone or ID number in clear.
        await AuditLog.AppendAsync(c, tx, db.Provider, new AuditEntry(actor, "personal_data_exported", null,
            $"export by {query}: {parties.Count} parties ({string.Join(", ", parties.Select(p => p.Id))})"), now);
        await tx.CommitAsync(ct);
        return new PersonExport(now, normalizedPhone is not null ? "phone" : "idNumber", cases);
    }

    public static string ToJson(PersonExport export) => JsonSerializer.Serialize(export, ExportJson);

    private async Task<int> InTransactionAsync(Func<DbConnection, DbTransaction, Task<int>> work, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var n = await work(c, tx);
        await tx.CommitAsync(ct);
        return n;
    }

    /// <summary>
    /// Removes the files of a case's evidence (Evidence's own erasure); the row keeps kind, size, time and
    /// SHA-256, which is the hash of the removed file and goes into the audit entry of each.
    /// </summary>
    private Task<int> RemoveEvidenceFilesAsync(DbConnection c, DbTransaction tx, Guid caseId, string actor, string reason, DateTimeOffset now) =>
        EvidenceErasure.PurgeFilesAsync(c, tx, blobs, caseId, now, row => AuditLog.AppendAsync(c, tx, db.Provider, new AuditEntry(actor, "evidence_file_removed", caseId,
            $"{row.Id} {row.Kind} size={row.Size} sha256={row.Sha256}{(row.CopySha256 is null ? "" : $" copy_sha256={row.CopySha256}")} ({reason}{(row.HeldElsewhere ? "; the same bytes are still held for another case" : "")})"), now));

    /// <summary>
    /// Sets each party's personal fields to NULL (Cases), empties its signature images (Documents), masks
    /// the insured's data in the stored claim copies (Claims), and drops the position of the case's photos
    /// (Evidence): each feature erases in its own table, in this one transaction. The audit entry carries
    /// the SHA-256 of the removed values.
    /// </summary>
    private async Task<int> RemovePersonalFieldsAsync(DbConnection c, DbTransaction tx, Guid caseId, string actor, string reason, DateTimeOffset now)
    {
        var parties = (await c.QueryAsync<PersonalRow>("""
            SELECT id, name, id_number, phone, policy_number, device_latitude, device_longitude, satisfaction_comment
            FROM parties WHERE case_id = @caseId AND personal_data_removed_at IS NULL ORDER BY party_number
            """, new { caseId }, tx)).ToList();
        foreach (var p in parties)
        {
            var signatures = (await c.QueryAsync<string>(
                "SELECT sha256 FROM signatures WHERE party_id = @Id ORDER BY document_version", new { p.Id }, tx)).ToList();
            var removed = JsonSerializer.Serialize(new
            {
                partyId = p.Id, p.Name, p.IdNumber, p.Phone, p.PolicyNumber, p.DeviceLatitude, p.DeviceLongitude, p.SatisfactionComment, signatures,
            });
            await CaseWrites.RemovePersonalFieldsAsync(c, tx, p.Id, now);
            await SignatureStore.EmptyImagesAsync(c, tx, p.Id);
            await ObjectionStore.EmptyTextsAsync(c, tx, p.Id);
            var copies = await ClaimErasure.MaskInsuredAsync(c, tx, p.Id);
            await AuditLog.AppendAsync(c, tx, db.Provider, new AuditEntry(actor, "personal_data_removed", caseId,
                $"party {p.Id}: name, id_number, phone, policy_number, device_position, satisfaction_comment, {signatures.Count} signature images, objection texts, " +
                $"{copies} claim copies; sha256 of the removed values={Sha256(removed)} ({reason})"), now);
        }

        if (parties.Count > 0)
        {
            await EvidenceErasure.ForgetPositionsAsync(c, tx, caseId);
        }

        return parties.Count;
    }

    /// <summary>Expired sign-ins past their retention (Auth deletes them); the entry holds the SHA-256 of the removed token hashes.</summary>
    private async Task<int> RemoveStaffSessionsAsync(DbConnection c, DbTransaction tx, DateTimeOffset cutoff, DateTimeOffset now)
    {
        var hashes = await OfficerStore.RemoveSessionsExpiredBeforeAsync(c, tx, cutoff);
        if (hashes.Count == 0)
        {
            return 0;
        }

        await AuditLog.AppendAsync(c, tx, db.Provider, new AuditEntry(SystemActor, "staff_sessions_removed", null,
            $"{hashes.Count} sessions expired before {cutoff:O}; sha256 of their token hashes={Sha256(string.Join('\n', hashes))} (retention)"), now);
        return hashes.Count;
    }

    internal static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private sealed class PersonalRow
    {
        public Guid Id { get; set; }

        public string? Name { get; set; }

        public string? IdNumber { get; set; }

        public string? Phone { get; set; }

        public string? PolicyNumber { get; set; }

        public double? DeviceLatitude { get; set; }

        public double? DeviceLongitude { get; set; }

        public string? SatisfactionComment { get; set; }
    }
}
