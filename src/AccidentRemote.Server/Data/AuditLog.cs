using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace AccidentRemote.Server.Data;

/// <summary>One thing that happened, as the audit log keeps it.</summary>
public sealed record AuditEntry(string Actor, string Kind, Guid? CaseId, string? Detail);

public sealed record AuditVerification(bool Intact, long Entries, long? FirstBrokenSeq, string? Problem);

/// <summary>
/// An append-only, hash-chained log: each entry's hash covers its fields and the previous
/// entry's hash, so changing, removing or reordering any entry breaks every hash after it.
/// The database refuses UPDATE and DELETE on the table (triggers); the chain catches what
/// someone with enough rights did anyway.
/// </summary>
public sealed class AuditLog(Db db)
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";
    private const long PostgresLockKey = 0x4175646974436861; // "AuditCha": one appender at a time.

    /// <summary>Appends inside the caller's transaction, so the entry exists exactly when the change does.</summary>
    public static async Task AppendAsync(DbConnection c, DbTransaction tx, DatabaseProvider provider, AuditEntry entry, DateTimeOffset now)
    {
        // Serialises appenders until commit; SQLite's write transaction already does.
        await SqlDialect.For(provider).LockAsync(c, tx, PostgresLockKey);

        var last = await c.QuerySingleOrDefaultAsync<LastRow>("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", transaction: tx);
        var seq = (last?.Seq ?? 0) + 1;
        var at = Truncate(now);
        var prev = last?.Hash ?? Genesis;
        var hash = Hash(seq, at, entry, prev);
        await c.ExecuteAsync("""
            INSERT INTO audit_log (seq, at, actor, kind, case_id, detail, prev_hash, hash)
            VALUES (@seq, @at, @Actor, @Kind, @CaseId, @Detail, @prev, @hash)
            """, new { seq, at, entry.Actor, entry.Kind, entry.CaseId, entry.Detail, prev, hash }, tx);
    }

    public async Task<AuditVerification> VerifyAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var expectedPrev = Genesis;
        long expectedSeq = 1, count = 0;
        await using var reader = await c.ExecuteReaderAsync(new CommandDefinition(
            "SELECT seq, at, actor, kind, case_id, detail, prev_hash, hash FROM audit_log ORDER BY seq", cancellationToken: ct));
        var parser = reader.GetRowParser<Row>();
        while (await reader.ReadAsync(ct))
        {
            var row = parser(reader);
            count++;
            string? problem = null;
            if (row.Seq != expectedSeq)
            {
                problem = $"entry {expectedSeq} is missing (next is {row.Seq})";
            }
            else if (row.PrevHash != expectedPrev)
            {
                problem = "its previous-hash does not match the entry before it";
            }
            else if (Hash(row.Seq, row.At, new AuditEntry(row.Actor, row.Kind, row.CaseId, row.Detail), row.PrevHash) != row.Hash)
            {
                problem = "its content does not match its hash (the entry was changed)";
            }

            if (problem is not null)
            {
                return new AuditVerification(false, count, row.Seq, $"Entry {row.Seq}: {problem}.");
            }

            expectedPrev = row.Hash;
            expectedSeq++;
        }

        return new AuditVerification(true, count, null, null);
    }

    internal static string Hash(long seq, DateTimeOffset at, AuditEntry e, string prev)
    {
        var text = string.Join('\u001f',
            seq.ToString(CultureInfo.InvariantCulture),
            at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            e.Actor, e.Kind, e.CaseId?.ToString("D") ?? "", e.Detail ?? "", prev);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>PostgreSQL keeps microseconds; hash what will be read back.</summary>
    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % 10), TimeSpan.Zero);

    private sealed class LastRow
    {
        public long Seq { get; set; }

        public string Hash { get; set; } = "";
    }

    private sealed class Row
    {
        public long Seq { get; set; }

        public DateTimeOffset At { get; set; }

        public string Actor { get; set; } = "";

        public string Kind { get; set; } = "";

        public Guid? CaseId { get; set; }

        public string? Detail { get; set; }

        public string PrevHash { get; set; } = "";

        public string Hash { get; set; } = "";
    }
}
