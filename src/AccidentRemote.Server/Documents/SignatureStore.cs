using System.Data.Common;
using System.Security.Cryptography;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Data;
using Dapper;

namespace AccidentRemote.Server.Documents;

/// <summary>A signature just stored: its hash, and how many parties have now signed that version.</summary>
public sealed record AddedSignature(string Sha256, int SignedSoFar);

/// <summary>The parties' canvas signatures, one per party and document version (the <c>signatures</c> table).</summary>
public sealed class SignatureStore(Db db)
{
    /// <summary>
    /// Stores the party's signature of <paramref name="version"/> in the case transaction, or returns null when
    /// that party already signed that version.
    /// </summary>
    public async Task<AddedSignature?> AddAsync(CaseTransaction tx, Guid partyId, int version, byte[] png)
    {
        var c = tx.Connection;
        if (tx.Provider == DatabaseProvider.Postgres)
        {
            // One signer of a case at a time, so exactly one of them sees the last signature.
            await c.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtext(@key))", new { key = $"sign:{tx.CaseId}" }, tx.Transaction);
        }

        var sha = Convert.ToHexStringLower(SHA256.HashData(png));
        var inserted = await c.ExecuteAsync("""
            INSERT INTO signatures (id, case_id, party_id, document_version, signed_at, sha256, png)
            VALUES (@id, @caseId, @partyId, @version, @now, @sha, @png)
            ON CONFLICT (party_id, document_version) DO NOTHING
            """, new { id = Guid.NewGuid(), caseId = tx.CaseId, partyId, version, now = tx.Now, sha, png }, tx.Transaction);
        if (inserted == 0)
        {
            return null;
        }

        var count = await c.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM signatures WHERE case_id = @caseId AND document_version = @version", new { caseId = tx.CaseId, version }, tx.Transaction);
        return new AddedSignature(sha, count);
    }

    /// <summary>The signatures given on one version of a case's document, by party.</summary>
    public async Task<IReadOnlyDictionary<Guid, (byte[] Png, DateTimeOffset SignedAt)>> ForVersionAsync(Guid caseId, int version, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await ForVersionAsync(c, null, caseId, version);
    }

    /// <inheritdoc cref="ForVersionAsync(Guid, int, CancellationToken)"/>
    public async Task<IReadOnlyDictionary<Guid, (byte[] Png, DateTimeOffset SignedAt)>> ForVersionAsync(DbConnection c, DbTransaction? tx, Guid caseId, int version)
    {
        var rows = await c.QueryAsync<SignatureRow>(
            "SELECT party_id, png, signed_at FROM signatures WHERE case_id = @caseId AND document_version = @version", new { caseId, version }, tx);
        return rows.ToDictionary(r => r.PartyId, r => (r.Png, r.SignedAt));
    }

    private sealed class SignatureRow
    {
        public Guid PartyId { get; set; }

        public byte[] Png { get; set; } = [];

        public DateTimeOffset SignedAt { get; set; }
    }

    /// <summary>Empties a party's signature images (the rows, with their hashes, stay): for Privacy's erasure, in its transaction.</summary>
    public static Task EmptyImagesAsync(DbConnection c, DbTransaction tx, Guid partyId) =>
        c.ExecuteAsync("UPDATE signatures SET png = @empty WHERE party_id = @partyId", new { empty = Array.Empty<byte>(), partyId }, tx);
}
