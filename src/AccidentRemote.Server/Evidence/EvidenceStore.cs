using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Data;
using System.Data.Common;
using Dapper;

namespace AccidentRemote.Server.Evidence;

/// <summary>The outcome of adding an evidence row.</summary>
public abstract record EvidenceAdd
{
    public sealed record Added(EvidenceRow Row) : EvidenceAdd;

    /// <summary>The case already has an item with the same bytes.</summary>
    public sealed record Duplicate(EvidenceRow Existing) : EvidenceAdd;

    /// <summary>The case was closed or escalated (or removed) before the row could be written.</summary>
    public sealed record CaseNotOpen(string? Status) : EvidenceAdd;

    /// <summary>The case's or the uploader's item budget was used up by an upload at the same moment.</summary>
    public sealed record OverBudget : EvidenceAdd;
}

/// <summary>Evidence metadata. The bytes live in <see cref="EvidenceBlobs"/>.</summary>
public sealed class EvidenceStore(Db db)
{
    private const string Columns = """
        id, case_id, party_id, kind, angle, content_type, size, width, height, sha256,
        captured_by, captured_at, latitude, longitude
        """;

    /// <summary>States in which evidence may no longer be added.</summary>
    public static readonly IReadOnlyList<string> ClosedStates = [CaseStatus.Closed, CaseStatus.Escalated, CaseStatus.Abandoned];

    public async Task<CaseAccess?> FindCaseAsync(Guid caseId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<CaseRow>("SELECT id, status, officer_id FROM cases WHERE id = @caseId", new { caseId });
        if (row is null)
        {
            return null;
        }

        var parties = await c.QueryAsync<Guid>("SELECT id FROM parties WHERE case_id = @caseId", new { caseId });
        return new CaseAccess(row.Id, row.Status, row.OfficerId, parties.ToList());
    }

    public async Task<IReadOnlyList<EvidenceRow>> ListAsync(Guid caseId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<EvidenceRow>(
            $"SELECT {Columns} FROM evidence WHERE case_id = @caseId ORDER BY captured_at, id", new { caseId });
        return rows.ToList();
    }

    public async Task<EvidenceRow?> FindAsync(Guid evidenceId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<EvidenceRow>($"SELECT {Columns} FROM evidence WHERE id = @evidenceId", new { evidenceId });
    }

    /// <summary>The case and insured party of a claim (read only: the claims table belongs to Claims).</summary>
    public async Task<(Guid CaseId, Guid PartyId)?> ClaimPartyAsync(Guid claimId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<ClaimPartyRow>("SELECT case_id, party_id FROM claims WHERE id = @claimId", new { claimId });
        return row is null ? null : (row.CaseId, row.PartyId);
    }

    private sealed class ClaimPartyRow
    {
        public Guid CaseId { get; set; }

        public Guid PartyId { get; set; }
    }

    public async Task<EvidenceRow?> FindByHashAsync(Guid caseId, string sha256, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<EvidenceRow>(
            $"SELECT {Columns} FROM evidence WHERE case_id = @caseId AND sha256 = @sha256", new { caseId, sha256 });
    }

    /// <summary>How many items and bytes the case holds, and how many of them <paramref name="capturedBy"/> uploaded.</summary>
    public async Task<EvidenceUsage> UsageAsync(Guid caseId, string capturedBy, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        // SUM of a BIGINT is numeric in PostgreSQL: cast back, so both databases give 64-bit integers.
        var u = await c.QuerySingleAsync<UsageRow>("""
            SELECT CAST(COUNT(*) AS BIGINT) AS case_items, CAST(COALESCE(SUM(size), 0) AS BIGINT) AS case_bytes,
                   CAST(COALESCE(SUM(CASE WHEN captured_by = @capturedBy THEN 1 ELSE 0 END), 0) AS BIGINT) AS uploader_items,
                   CAST(COALESCE(SUM(CASE WHEN captured_by = @capturedBy THEN size ELSE 0 END), 0) AS BIGINT) AS uploader_bytes
            FROM evidence WHERE case_id = @caseId
            """, new { caseId, capturedBy });
        return new EvidenceUsage((int)u.CaseItems, u.CaseBytes, (int)u.UploaderItems, u.UploaderBytes);
    }

    private sealed class UsageRow
    {
        public long CaseItems { get; set; }

        public long CaseBytes { get; set; }

        public long UploaderItems { get; set; }

        public long UploaderBytes { get; set; }
    }

    private const string CopyColumns = "evidence_id, sha256, original_sha256, content_type, size, width, height, created_at";

    public async Task<EvidenceCopyRow?> FindCopyAsync(Guid evidenceId, CancellationToken ct, DbConnection? connection = null, DbTransaction? tx = null)
    {
        if (connection is null)
        {
            await using var c = await db.OpenAsync(ct);
            return await c.QuerySingleOrDefaultAsync<EvidenceCopyRow>($"SELECT {CopyColumns} FROM evidence_copies WHERE evidence_id = @evidenceId", new { evidenceId });
        }

        return await connection.QuerySingleOrDefaultAsync<EvidenceCopyRow>($"SELECT {CopyColumns} FROM evidence_copies WHERE evidence_id = @evidenceId", new { evidenceId }, tx);
    }

    /// <summary>Records a clean copy (once; a second writer of the same item's copy changes nothing).</summary>
    public static Task AddCopyAsync(DbConnection c, DbTransaction? tx, EvidenceCopyRow copy) =>
        c.ExecuteAsync($"""
            INSERT INTO evidence_copies ({CopyColumns})
            VALUES (@EvidenceId, @Sha256, @OriginalSha256, @ContentType, @Size, @Width, @Height, @CreatedAt)
            ON CONFLICT (evidence_id) DO NOTHING
            """, copy, tx);

    public async Task AddCopyAsync(EvidenceCopyRow copy, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await AddCopyAsync(c, null, copy);
    }

    /// <summary>
    /// Writes the row (and its clean copy) in the case transaction, only while the case is open, within the
    /// item budgets of the case and of the uploader, and at most once per case and hash: the insert itself
    /// checks all of these, so a close or a twin upload at the same moment cannot slip in between a check and
    /// the write. Records <c>evidence_added</c> with the hash, so a stored item swapped later is detectable in
    /// the chained audit log. The caller commits; anything but <see cref="EvidenceAdd.Added"/> wrote nothing.
    /// </summary>
    public static async Task<EvidenceAdd> AddAsync(CaseTransaction tx, EvidenceRow row, EvidenceCopyRow? copy, int maxCaseItems, int maxUploaderItems)
    {
        var c = tx.Connection;
        var inserted = await c.ExecuteAsync($"""
            INSERT INTO evidence ({Columns})
            SELECT @Id, @CaseId, @PartyId, @Kind, @Angle, @ContentType, @Size, @Width, @Height, @Sha256,
                   @CapturedBy, @CapturedAt, @Latitude, @Longitude
            WHERE EXISTS (SELECT 1 FROM cases WHERE id = @CaseId AND status NOT IN (@closed, @escalated, @abandoned))
              AND (SELECT COUNT(*) FROM evidence WHERE case_id = @CaseId) < @maxCaseItems
              AND (SELECT COUNT(*) FROM evidence WHERE case_id = @CaseId AND captured_by = @CapturedBy) < @maxUploaderItems
            ON CONFLICT (case_id, sha256) DO NOTHING
            """,
            new
            {
                row.Id, row.CaseId, row.PartyId, row.Kind, row.Angle, row.ContentType, row.Size, row.Width, row.Height, row.Sha256,
                row.CapturedBy, row.CapturedAt, row.Latitude, row.Longitude, closed = CaseStatus.Closed, escalated = CaseStatus.Escalated, abandoned = CaseStatus.Abandoned,
                maxCaseItems, maxUploaderItems,
            }, tx.Transaction);
        if (inserted == 1)
        {
            if (copy is not null)
            {
                copy.EvidenceId = row.Id;
                await AddCopyAsync(c, tx.Transaction, copy);
            }

            tx.Record("evidence_added", row.Id.ToString(), $"{row.Id} {row.Kind} sha256={row.Sha256}", subject: row);
            return new EvidenceAdd.Added(row);
        }

        var existing = await c.QuerySingleOrDefaultAsync<EvidenceRow>(
            $"SELECT {Columns} FROM evidence WHERE case_id = @CaseId AND sha256 = @Sha256", new { row.CaseId, row.Sha256 }, tx.Transaction);
        if (existing is not null)
        {
            return new EvidenceAdd.Duplicate(existing);
        }

        var status = await c.QuerySingleOrDefaultAsync<string>("SELECT status FROM cases WHERE id = @CaseId", new { row.CaseId }, tx.Transaction);
        return status is null || ClosedStates.Contains(status) ? new EvidenceAdd.CaseNotOpen(status) : new EvidenceAdd.OverBudget();
    }
}
