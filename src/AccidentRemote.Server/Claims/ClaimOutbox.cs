using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using AccidentRemote.Contracts.Claims;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Data;
using AccidentRemote.Server.Documents;
using AccidentRemote.Server.Evidence;
using AccidentRemote.Server.Fraud;
using Microsoft.Extensions.Options;
using Dapper;

namespace AccidentRemote.Server.Claims;

public static class ClaimStatus
{
    /// <summary>Written, not yet confirmed by the broker.</summary>
    public const string Pending = "pending";

    /// <summary>The broker confirmed it is in the insurer's queue.</summary>
    public const string Sent = "sent";

    /// <summary>No queue is bound for the insurer: kept, logged, retried until a queue appears.</summary>
    public const string Parked = "parked";
}

public sealed class ClaimRow
{
    public Guid Id { get; set; }

    public Guid CaseId { get; set; }

    public Guid PartyId { get; set; }

    public string InsurerCode { get; set; } = "";

    public string Payload { get; set; } = "";

    public string Status { get; set; } = "";

    public int Attempts { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    public string? ClaimReportNumber { get; set; }

    public DateTimeOffset? AcknowledgedAt { get; set; }

    public DateTimeOffset? FirstSentAt { get; set; }

    public int Republished { get; set; }
}

public sealed record ClaimView(
    Guid ClaimId, Guid CaseId, Guid PartyId, string InsurerCode, string Status, int Attempts, string? LastError, DateTimeOffset CreatedAt,
    DateTimeOffset? SentAt, DateTimeOffset? NextAttemptAt, string? ClaimReportNumber, DateTimeOffset? AcknowledgedAt, int Republished)
{
    public static ClaimView From(ClaimRow r) => new(r.Id, r.CaseId, r.PartyId, r.InsurerCode, r.Status, r.Attempts, r.LastError, r.CreatedAt, r.SentAt,
        r.Status == ClaimStatus.Sent ? null : r.NextAttemptAt, r.ClaimReportNumber, r.AcknowledgedAt, r.Republished);
}

/// <summary>
/// The claims outbox. Claims are written in the transaction that closes the case and leave
/// only when the broker has confirmed them; a crash in between means they are sent again
/// with the same message id, never lost.
/// </summary>
public sealed class ClaimOutbox(Db db, ClaimDispatchSignal signal, EvidenceLinks links, EvidenceCopies copies, IOptions<DocumentOptions> site)
{
    private const string Columns = "id, case_id, party_id, insurer_code, payload, status, attempts, last_error, created_at, next_attempt_at, sent_at, " +
        "claim_report_number, acknowledged_at, first_sent_at, republished";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Adds one claim per party whose insurer is known. Call inside the closing transaction.</summary>
    public async Task EnqueueAsync(DbConnection c, DbTransaction tx, CaseDetails details, DateTimeOffset now, CancellationToken ct)
    {
        var extras = await ExtrasAsync(c, tx, details, now, ct);
        foreach (var party in details.Parties.Where(p => p.InsurerCode is not null))
        {
            var claim = BuildClaim(details, party);
            claim = claim with
            {
                Weather = details.Case.Weather,
                LiabilityScenario = details.Case.LiabilityScenario,
                Facts = details.Case.Facts,
                Document = extras.Document,
                Evidence = await EvidenceForAsync(c, tx, details, party, claim.ClaimId, extras.Evidence, ct),
                FraudSignals = extras.Signals,
            };
            await c.ExecuteAsync($"""
                INSERT INTO claims ({Columns})
                VALUES (@Id, @CaseId, @PartyId, @InsurerCode, @Payload, @Status, 0, NULL, @Now, @Now, NULL, NULL, NULL, NULL, 0)
                """,
                new { Id = claim.ClaimId, CaseId = details.Case.Id, PartyId = party.Id, claim.InsurerCode, Payload = JsonSerializer.Serialize(claim, Json), Status = ClaimStatus.Pending, Now = now },
                tx);
        }
    }

    /// <summary>Wakes the dispatcher; call after the closing transaction committed.</summary>
    public void NotifyDispatcher() => signal.Notify();

    private sealed record Extras(ClaimDocument? Document, IReadOnlyList<EvidenceRow> Evidence, IReadOnlyList<ClaimFraudSignal> Signals);

    /// <summary>What the claims of the case share: the signed document, the case's evidence items (each claim takes its share), fraud signals.</summary>
    private async Task<Extras> ExtrasAsync(DbConnection c, DbTransaction tx, CaseDetails details, DateTimeOffset now, CancellationToken ct)
    {
        var document = await c.QuerySingleOrDefaultAsync<DocumentRow>("""
            SELECT number, version, verification_code, sha256 FROM documents WHERE case_id = @id ORDER BY version DESC LIMIT 1
            """, new { id = details.Case.Id }, tx);
        var evidence = (await c.QueryAsync<EvidenceRow>("""
            SELECT id, case_id, party_id, kind, angle, content_type, size, width, height, sha256, captured_by, captured_at, latitude, longitude
            FROM evidence WHERE case_id = @id ORDER BY captured_at
            """, new { id = details.Case.Id }, tx)).ToList();
        var signals = (await FraudSignals.ComputeAsync(c, tx, details, now)).Select(f => new ClaimFraudSignal(f.Code, f.Description)).ToList();
        return new Extras(
            document is null ? null : new ClaimDocument(document.Number, document.Version, document.VerificationCode, site.Value.VerificationUrl(document.VerificationCode), document.Sha256),
            evidence, signals);
    }

    /// <summary>
    /// One claim's evidence manifest: the scene evidence and the insured's own documents, never another party's
    /// (<see cref="EvidenceSharing"/>), each as its clean copy (no EXIF) with a link signed for this claim only.
    /// </summary>
    private async Task<IReadOnlyList<ClaimEvidence>> EvidenceForAsync(
        DbConnection c, DbTransaction tx, CaseDetails details, PartyRow party, Guid claimId, IReadOnlyList<EvidenceRow> items, CancellationToken ct)
    {
        var manifest = new List<ClaimEvidence>();
        foreach (var e in items.Where(e => EvidenceSharing.IsForInsurerOf(party.Id, e.Kind, e.Angle, e.PartyId, e.ContentType)))
        {
            if (await copies.ForAsync(e, ct, c, tx) is not { } copy)
            {
                continue; // its file is missing: nothing to link (the police's list still has the item)
            }

            var (url, expires) = await links.SignAsync(claimId, e.Id, ct, c, tx);
            manifest.Add(new ClaimEvidence(e.Id, e.Kind, e.Angle, details.Parties.FirstOrDefault(p => p.Id == e.PartyId)?.PartyNumber,
                copy.ContentType, copy.Sha256, e.CapturedAt, url, expires, copy.OriginalSha256));
        }

        return manifest;
    }

    private sealed class DocumentRow
    {
        public string Number { get; set; } = "";

        public int Version { get; set; }

        public string VerificationCode { get; set; } = "";

        public string Sha256 { get; set; } = "";
    }

    internal static ClaimSubmitted BuildClaim(CaseDetails details, PartyRow party) => new()
    {
        ClaimId = Guid.NewGuid(),
        CaseId = details.Case.Id,
        CaseNumber = details.Case.CaseNumber,
        InsurerCode = party.InsurerCode!,
        AccidentTime = details.Case.AccidentTime,
        ReportedAt = details.Case.ReportedAt,
        ClosedAt = details.Case.ClosedAt ?? details.Case.ReportedAt,
        Location = new ClaimLocation(details.Case.Latitude, details.Case.Longitude, details.Case.Address),
        Insured = new InsuredParty(party.PartyNumber, party.Plate, party.VehicleType, party.PolicyNumber, party.Phone, party.Liability ?? "undetermined", party.Name, party.IdNumber),
        OtherParties = details.Parties.Where(p => p.Id != party.Id)
            .Select(p => new OtherParty(p.PartyNumber, p.Plate, p.VehicleType, p.InsurerCode, p.Liability ?? "undetermined"))
            .ToList(),
    };

    /// <summary>
    /// Takes up to <paramref name="max"/> due claims for this node for <paramref name="lease"/>.
    /// The lease makes two nodes (or two loops) never publish the same claim at once; a node
    /// that dies leaves its lease to expire and another takes the claim over.
    /// </summary>
    public async Task<IReadOnlyList<ClaimRow>> LeaseDueAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<ClaimRow>($"""
            UPDATE claims SET locked_until = @until
            WHERE id IN (
                SELECT id FROM claims
                WHERE status IN (@pending, @parked) AND next_attempt_at <= @now AND (locked_until IS NULL OR locked_until < @now)
                ORDER BY next_attempt_at
                LIMIT @max)
              AND status IN (@pending, @parked) AND (locked_until IS NULL OR locked_until < @now)
            RETURNING {Columns}
            """,
            new { until = now + lease, now, max, pending = ClaimStatus.Pending, parked = ClaimStatus.Parked });
        return rows.OrderBy(r => r.CreatedAt).ToList();
    }

    /// <summary>Marks claims the broker confirmed as sent, in one statement (one round trip for a whole leased batch).</summary>
    public async Task MarkSentAsync(IReadOnlyCollection<Guid> ids, DateTimeOffset now, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return;
        }

        // One parameter per id, named here: Dapper passes a list to Npgsql as an array (which `IN` does
        // not take) but expands it for SQLite, so the shared SQL spells the list out itself.
        var parameters = new DynamicParameters(new { now, sent = ClaimStatus.Sent });
        var names = new List<string>(ids.Count);
        foreach (var id in ids)
        {
            var name = "id" + names.Count.ToString(CultureInfo.InvariantCulture);
            parameters.Add(name, id);
            names.Add("@" + name);
        }

        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync($"""
            UPDATE claims SET status = @sent, sent_at = @now, first_sent_at = COALESCE(first_sent_at, @now),
                attempts = attempts + 1, last_error = NULL, locked_until = NULL
            WHERE id IN ({string.Join(", ", names)})
            """, parameters);
    }

    /// <summary>
    /// Records an insurer's acknowledgement once. Returns the claim when this call recorded it,
    /// null when it was already acknowledged (a duplicate) or the claim is unknown or belongs to another insurer.
    /// </summary>
    public async Task<(ClaimRow? Claim, string? Problem)> AcknowledgeAsync(Guid claimId, string insurerCode, string reportNumber, DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var claim = await c.QuerySingleOrDefaultAsync<ClaimRow>($"SELECT {Columns} FROM claims WHERE id = @claimId", new { claimId });
        if (claim is null)
        {
            return (null, $"unknown claim {claimId}");
        }

        if (claim.InsurerCode != insurerCode)
        {
            return (null, $"claim {claimId} belongs to another insurer");
        }

        var changed = await c.ExecuteAsync("""
            UPDATE claims SET claim_report_number = @reportNumber, acknowledged_at = @now,
                status = CASE WHEN status = @parked OR status = @pending THEN @sent ELSE status END,
                sent_at = COALESCE(sent_at, @now)
            WHERE id = @claimId AND acknowledged_at IS NULL
            """, new { reportNumber, now, claimId, parked = ClaimStatus.Parked, pending = ClaimStatus.Pending, sent = ClaimStatus.Sent });
        return changed == 1 ? (claim, null) : (null, null);
    }

    /// <summary>
    /// Claims the broker took but the insurer has not answered within <paramref name="ackTimeout"/>:
    /// put back into the outbox to be published again with the same message id.
    /// </summary>
    public async Task<int> RequeueUnacknowledgedAsync(DateTimeOffset now, TimeSpan ackTimeout, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync("""
            UPDATE claims SET status = @pending, next_attempt_at = @now, republished = republished + 1,
                last_error = 'not acknowledged by the insurer in time; published again'
            WHERE status = @sent AND acknowledged_at IS NULL AND sent_at < @cutoff
            """, new { pending = ClaimStatus.Pending, sent = ClaimStatus.Sent, now, cutoff = now - ackTimeout });
    }

    public async Task<IReadOnlyList<ClaimRow>> AllSinceAsync(DateTimeOffset since, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<ClaimRow>($"SELECT {Columns} FROM claims WHERE created_at >= @since", new { since })).ToList();
    }

    public async Task<ClaimRow?> FindAsync(Guid claimId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<ClaimRow>($"SELECT {Columns} FROM claims WHERE id = @claimId", new { claimId });
    }

    public async Task<IReadOnlyList<ClaimRow>> ForInsurerAsync(string insurerCode, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<ClaimRow>($"SELECT {Columns} FROM claims WHERE insurer_code = @insurerCode ORDER BY created_at DESC LIMIT 500", new { insurerCode })).ToList();
    }

    public async Task<IReadOnlyList<ClaimRow>> ForPartyAsync(Guid partyId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<ClaimRow>($"SELECT {Columns} FROM claims WHERE party_id = @partyId", new { partyId })).ToList();
    }

    public async Task MarkFailedAsync(Guid id, string status, string error, DateTimeOffset nextAttempt, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync("""
            UPDATE claims SET status = @status, attempts = attempts + 1, last_error = @error, next_attempt_at = @nextAttempt, locked_until = NULL
            WHERE id = @id
            """, new { id, status, error, nextAttempt });
    }

    public async Task<IReadOnlyList<ClaimRow>> ForCaseAsync(Guid caseId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<ClaimRow>($"SELECT {Columns} FROM claims WHERE case_id = @caseId ORDER BY insurer_code", new { caseId })).ToList();
    }

    public async Task<IReadOnlyList<ClaimRow>> ByStatusAsync(string? status, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<ClaimRow>($"""
            SELECT {Columns} FROM claims WHERE (@status IS NULL OR status = @status)
            ORDER BY created_at DESC LIMIT @limit
            """, new { status, limit })).ToList();
    }
}

/// <summary>Lets a closing case wake the dispatcher at once instead of at its next poll.</summary>
public sealed class ClaimDispatchSignal : IDisposable
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Notify()
    {
        try
        {
            if (signal.CurrentCount == 0)
            {
                signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => signal.WaitAsync(timeout, ct);

    public void Dispose() => signal.Dispose();
}
