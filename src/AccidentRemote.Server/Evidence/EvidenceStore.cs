using AccidentRemote.Server.Audit;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Data;
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

    public async Task<EvidenceRow?> FindByHashAsync(Guid caseId, string sha256, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<EvidenceRow>(
            $"SELECT {Columns} FROM evidence WHERE case_id = @caseId AND sha256 = @sha256", new { caseId, sha256 });
    }

    /// <summary>
    /// Writes the row and its case event in one transaction, only while the case is open, and at most
    /// once per case and hash: the insert itself checks both, so a close or a twin upload at the same
    /// moment cannot slip in between a check and the write.
    /// </summary>
    public async Task<EvidenceAdd> AddAsync(EvidenceRow row, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var inserted = await c.ExecuteAsync($"""
            INSERT INTO evidence ({Columns})
            SELECT @Id, @CaseId, @PartyId, @Kind, @Angle, @ContentType, @Size, @Width, @Height, @Sha256,
                   @CapturedBy, @CapturedAt, @Latitude, @Longitude
            WHERE EXISTS (SELECT 1 FROM cases WHERE id = @CaseId AND status NOT IN (@closed, @escalated, @abandoned))
            ON CONFLICT (case_id, sha256) DO NOTHING
            """,
            new
            {
                row.Id, row.CaseId, row.PartyId, row.Kind, row.Angle, row.ContentType, row.Size, row.Width, row.Height, row.Sha256,
                row.CapturedBy, row.CapturedAt, row.Latitude, row.Longitude, closed = CaseStatus.Closed, escalated = CaseStatus.Escalated, abandoned = CaseStatus.Abandoned,
            }, tx);
        if (inserted == 1)
        {
            await c.ExecuteAsync(
                "INSERT INTO case_events (id, case_id, kind, actor, at, detail) VALUES (@id, @caseId, 'evidence_added', @actor, @at, @detail)",
                new { id = Guid.NewGuid(), caseId = row.CaseId, actor = row.CapturedBy, at = row.CapturedAt, detail = row.Id.ToString() }, tx);
            // The hash goes into the chained audit log, so a stored item swapped later is detectable.
            await AuditLog.AppendAsync(c, tx, db.Provider,
                new AuditEntry(row.CapturedBy, "evidence_added", row.CaseId, $"{row.Id} {row.Kind} sha256={row.Sha256}"), row.CapturedAt);
            await tx.CommitAsync(ct);
            return new EvidenceAdd.Added(row);
        }

        var existing = await c.QuerySingleOrDefaultAsync<EvidenceRow>(
            $"SELECT {Columns} FROM evidence WHERE case_id = @CaseId AND sha256 = @Sha256", new { row.CaseId, row.Sha256 }, tx);
        if (existing is not null)
        {
            return new EvidenceAdd.Duplicate(existing);
        }

        return new EvidenceAdd.CaseNotOpen(await c.QuerySingleOrDefaultAsync<string>("SELECT status FROM cases WHERE id = @CaseId", new { row.CaseId }, tx));
    }
}
