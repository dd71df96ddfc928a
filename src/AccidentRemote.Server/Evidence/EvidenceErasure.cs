using System.Data.Common;
using Dapper;

namespace AccidentRemote.Server.Evidence;

/// <summary>An evidence file just removed: its row's kind, size and SHA-256 stay, for the audit entry.</summary>
public sealed record PurgedEvidenceFile(Guid Id, string Kind, long Size, string Sha256, string? CopySha256, bool HeldElsewhere);

/// <summary>
/// Removes a case's evidence files and photo positions, for Privacy's retention purge and early
/// erasure, in the caller's transaction: Evidence owns the rows and the files.
/// </summary>
public static class EvidenceErasure
{
    /// <summary>
    /// Deletes the files of a case's evidence and marks each row; the row keeps kind, size, time and
    /// SHA-256. A file that another case still holds (the same bytes uploaded there) stays for that case.
    /// <paramref name="removed"/> is told of each row after it is marked and before its file goes (the
    /// caller's audit entry); the files are deleted before the caller commits: if the commit fails the
    /// next round finds the row again, and no file is left behind.
    /// </summary>
    public static async Task<int> PurgeFilesAsync(DbConnection c, DbTransaction tx, EvidenceBlobs blobs, Guid caseId, DateTimeOffset now,
        Func<PurgedEvidenceFile, Task> removed)
    {
        var rows = (await c.QueryAsync<FileRow>(
            "SELECT id, kind, sha256, size FROM evidence WHERE case_id = @caseId AND file_purged_at IS NULL ORDER BY captured_at, id",
            new { caseId }, tx)).ToList();
        foreach (var row in rows)
        {
            var shared = await c.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM evidence WHERE sha256 = @Sha256 AND id <> @Id AND file_purged_at IS NULL", new { row.Sha256, row.Id }, tx) > 0;
            // The clean copy served outside the police (Evidence/ImageCodec) goes with its original.
            var copy = await c.QuerySingleOrDefaultAsync<string>(
                "SELECT sha256 FROM evidence_copies WHERE evidence_id = @Id", new { row.Id }, tx);
            var copyShared = copy is not null && await c.ExecuteScalarAsync<long>("""
                SELECT COUNT(*) FROM evidence_copies k JOIN evidence e ON e.id = k.evidence_id
                WHERE k.sha256 = @copy AND e.id <> @Id AND e.file_purged_at IS NULL
                """, new { copy, row.Id }, tx) > 0;
            await c.ExecuteAsync("UPDATE evidence SET file_purged_at = @now WHERE id = @Id", new { now, row.Id }, tx);
            await removed(new PurgedEvidenceFile(row.Id, row.Kind, row.Size, row.Sha256, copy, shared));
            if (!shared)
            {
                blobs.Delete(row.Sha256);
            }

            if (copy is not null && !copyShared)
            {
                blobs.DeleteCopy(copy);
            }
        }

        return rows.Count;
    }

    /// <summary>Drops the position of a case's photos (where they were taken says where the parties were).</summary>
    public static Task ForgetPositionsAsync(DbConnection c, DbTransaction tx, Guid caseId) =>
        c.ExecuteAsync("UPDATE evidence SET latitude = NULL, longitude = NULL WHERE case_id = @caseId", new { caseId }, tx);

    private sealed class FileRow
    {
        public Guid Id { get; set; }

        public string Kind { get; set; } = "";

        public string Sha256 { get; set; } = "";

        public long Size { get; set; }
    }
}
