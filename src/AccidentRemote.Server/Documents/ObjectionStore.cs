using System.Data.Common;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Data;
using Dapper;

namespace AccidentRemote.Server.Documents;

/// <summary>A party's objection to one version of the document: the reasons it chose, what it wrote, when.</summary>
public sealed record ObjectionView(IReadOnlyList<string> Reasons, string? Text, DateTimeOffset At);

/// <summary>The subject of an <c>objected</c> case event, for the page observer (who objected, and to what).</summary>
public sealed record PartyObjection(Guid PartyId, int PartyNumber, int Version, ObjectionView Objection);

/// <summary>The parties' objections to the document, one per party and version (the <c>objections</c> table).</summary>
public sealed class ObjectionStore(Db db)
{
    /// <summary>The reasons a party may tick (the page shows them in its language); the text says the rest.</summary>
    public static readonly IReadOnlyList<string> Reasons = ["liability", "facts", "vehicles", "other"];

    public const int MaxTextLength = 500;

    /// <summary>Stores the objection in the case transaction, or returns false when that party already objected to that version.</summary>
    public static async Task<bool> AddAsync(CaseTransaction tx, Guid partyId, int version, IReadOnlyList<string> reasons, string? text)
    {
        var inserted = await tx.Connection.ExecuteAsync("""
            INSERT INTO objections (id, case_id, party_id, document_version, objected_at, reasons, text)
            VALUES (@id, @caseId, @partyId, @version, @now, @reasons, @text)
            ON CONFLICT (party_id, document_version) DO NOTHING
            """, new { id = Guid.NewGuid(), caseId = tx.CaseId, partyId, version, now = tx.Now, reasons = string.Join(',', reasons), text }, tx.Transaction);
        return inserted > 0;
    }

    /// <summary>The objections to one version of a case's document, by party.</summary>
    public async Task<IReadOnlyDictionary<Guid, ObjectionView>> ForVersionAsync(Guid caseId, int version, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await ForVersionAsync(c, null, caseId, version);
    }

    /// <inheritdoc cref="ForVersionAsync(Guid, int, CancellationToken)"/>
    public static async Task<IReadOnlyDictionary<Guid, ObjectionView>> ForVersionAsync(DbConnection c, DbTransaction? tx, Guid caseId, int version)
    {
        var rows = await c.QueryAsync<ObjectionRow>(
            "SELECT party_id, reasons, text, objected_at FROM objections WHERE case_id = @caseId AND document_version = @version", new { caseId, version }, tx);
        return rows.ToDictionary(r => r.PartyId, r => new ObjectionView(
            r.Reasons.Split(',', StringSplitOptions.RemoveEmptyEntries), r.Text, r.ObjectedAt));
    }

    /// <summary>Empties a party's objection texts (what it wrote may name people): for Privacy's erasure, in its transaction.</summary>
    public static Task EmptyTextsAsync(DbConnection c, DbTransaction tx, Guid partyId) =>
        c.ExecuteAsync("UPDATE objections SET text = NULL WHERE party_id = @partyId", new { partyId }, tx);

    private sealed class ObjectionRow
    {
        public Guid PartyId { get; set; }

        public string Reasons { get; set; } = "";

        public string? Text { get; set; }

        public DateTimeOffset ObjectedAt { get; set; }
    }
}
