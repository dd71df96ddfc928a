using System.Globalization;
using System.Data.Common;
using System.Security.Cryptography;
using AccidentRemote.Server.Data;
using Dapper;

namespace AccidentRemote.Server.Documents;

/// <summary>What <see cref="DocumentStore.IssueAsync(System.Data.Common.DbConnection, System.Data.Common.DbTransaction, Guid, AccidentDocumentModel, string, CancellationToken)"/> returns: where to find the document and how to check it.</summary>
public sealed record IssuedDocument(Guid Id, string Number, string VerificationCode, string Sha256, int Version, DateTimeOffset IssuedAt, string Status = DocumentStore.IssuedStatus);

/// <summary>A stored document as the verification pages see it: facts only, and the PDF to re-hash.</summary>
public sealed record StoredDocument(
    Guid Id, Guid CaseId, string Number, string VerificationCode, int Version, int LatestVersion, string Status,
    string Sha256, DateTimeOffset IssuedAt, string CaseStatus, byte[] Pdf)
{
    /// <summary>True while the stored PDF still hashes to the SHA-256 recorded when it was issued.</summary>
    public bool StoredCopyIntact => DocumentStore.Sha256Hex(Pdf) == Sha256;
}

/// <summary>
/// Issued accident documents: rendered once, stored write-once with their SHA-256, found by
/// their public verification code. There is no UPDATE or DELETE on <c>documents</c>: a
/// corrected document is issued as the next version of the same case.
/// </summary>
public sealed class DocumentStore(Db db, AccidentDocumentRenderer renderer, TimeProvider clock, Microsoft.Extensions.Options.IOptions<DocumentOptions> options)
{
    public const string IssuedStatus = "issued";

    /// <summary>A version shown to the parties to sign.</summary>
    public const string AwaitingSignaturesStatus = "awaiting_signatures";

    /// <summary>The final version, carrying every party's signature.</summary>
    public const string SignedStatus = "signed";

    private const string Savepoint = "document_issue";

    /// <summary>Renders without storing (a preview); the model must carry a number, code and issue time.</summary>
    public Task<byte[]> RenderAsync(AccidentDocumentModel model, CancellationToken ct) => renderer.RenderAsync(model, ct);

    /// <summary>
    /// Issues the document in a transaction of its own (a document outside any change to the case, such as a
    /// preview's stored copy). Throws <see cref="InvalidOperationException"/> when the case does not exist.
    /// </summary>
    public async Task<IssuedDocument> IssueAsync(Guid caseId, AccidentDocumentModel model, CancellationToken ct, string status = IssuedStatus)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var exists = await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM cases WHERE id = @caseId", new { caseId }, tx);
        if (exists == 0)
        {
            throw new InvalidOperationException($"There is no case {caseId} to issue a document for.");
        }

        var issued = await IssueAsync(c, tx, caseId, model, status, ct);
        await tx.CommitAsync(ct);
        return issued;
    }

    /// <summary>
    /// Assigns the number, verification code and issue time (any in the model are replaced), renders, and stores the PDF as the
    /// case's next version, in the caller's transaction (the case transaction that also moves the case): rolled back, no version
    /// is left. Throws <see cref="ArgumentException"/> for an incomplete model.
    /// </summary>
    public async Task<IssuedDocument> IssueAsync(DbConnection c, DbTransaction tx, Guid caseId, AccidentDocumentModel model, string status, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var now = clock.GetUtcNow();
            now = now.AddTicks(-(now.UtcTicks % 10)); // microseconds, what timestamptz keeps
            var issued = model with
            {
                Number = await NextNumberAsync(c, tx, now, ct),
                VerificationCode = VerificationCodes.New(),
                IssuedAt = now,
            };
            var pdf = await renderer.RenderAsync(issued, ct);
            var sha = Sha256Hex(pdf);

            // A savepoint, so that a collision undoes only this attempt: PostgreSQL refuses every later statement of a
            // transaction after an error that was not rolled back to a savepoint.
            await tx.SaveAsync(Savepoint, ct);
            try
            {
                var version = 1 + await c.ExecuteScalarAsync<int>(
                    "SELECT COALESCE(MAX(version), 0) FROM documents WHERE case_id = @caseId", new { caseId }, tx);
                var id = Guid.NewGuid();
                await c.ExecuteAsync("""
                    INSERT INTO documents (id, case_id, number, verification_code, version, status, sha256, issued_at, pdf)
                    VALUES (@id, @caseId, @Number, @VerificationCode, @version, @status, @sha, @IssuedAt, @pdf)
                    """,
                    new { id, caseId, issued.Number, issued.VerificationCode, version, status, sha, issued.IssuedAt, pdf }, tx);
                await tx.ReleaseAsync(Savepoint, ct);
                return new IssuedDocument(id, issued.Number, issued.VerificationCode, sha, version, now, status);
            }
            catch (Exception ex) when (Db.IsUniqueViolation(ex) && attempt < 5)
            {
                // Number, code or version collided (another issue for the same case at the same moment): draw again.
                await tx.RollbackAsync(Savepoint, ct);
            }
        }
    }

    /// <summary>The newest version of a case's document without its PDF, or null, in the caller's transaction.</summary>
    public static async Task<IssuedDocument?> LatestAsync(DbConnection c, DbTransaction tx, Guid caseId)
    {
        var r = await c.QueryFirstOrDefaultAsync<Row>("""
            SELECT id, case_id, number, verification_code, version, status, sha256, issued_at
            FROM documents WHERE case_id = @caseId ORDER BY version DESC
            """, new { caseId }, tx);
        return r is null ? null : new IssuedDocument(r.Id, r.Number, r.VerificationCode, r.Sha256, r.Version, r.IssuedAt, r.Status);
    }

    /// <summary>The document with this verification code (canonical form), or null.</summary>
    public async Task<StoredDocument?> FindByCodeAsync(string verificationCode, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<Row>("""
            SELECT d.id, d.case_id, d.number, d.verification_code, d.version, d.status, d.sha256, d.issued_at, d.pdf,
                   k.status AS case_status,
                   (SELECT MAX(x.version) FROM documents x WHERE x.case_id = d.case_id) AS latest_version
            FROM documents d JOIN cases k ON k.id = d.case_id
            WHERE d.verification_code = @verificationCode
            """, new { verificationCode });
        return row is null ? null : new StoredDocument(
            row.Id, row.CaseId, row.Number, row.VerificationCode, row.Version, row.LatestVersion, row.Status,
            row.Sha256, row.IssuedAt, row.CaseStatus, row.Pdf);
    }

    /// <summary>The PDF of a document, for the parties' download (wired into the case flow elsewhere).</summary>
    public async Task<byte[]?> GetPdfAsync(Guid documentId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<byte[]>("SELECT pdf FROM documents WHERE id = @documentId", new { documentId });
    }

    /// <summary>The documents of a case, newest version first, without their PDFs.</summary>
    public async Task<IReadOnlyList<IssuedDocument>> ListForCaseAsync(Guid caseId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<Row>("""
            SELECT id, case_id, number, verification_code, version, status, sha256, issued_at
            FROM documents WHERE case_id = @caseId ORDER BY version DESC
            """, new { caseId });
        return rows.Select(r => new IssuedDocument(r.Id, r.Number, r.VerificationCode, r.Sha256, r.Version, r.IssuedAt, r.Status)).ToList();
    }

    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// The next number in the traffic police's format, {prefix}〔year〕第000123号, counted per year (Beijing time) in the
    /// caller's transaction: the row lock holds other issuers until it commits, and a rollback gives the number back.
    /// </summary>
    private async Task<string> NextNumberAsync(DbConnection c, DbTransaction tx, DateTimeOffset now, CancellationToken ct)
    {
        var year = now.ToOffset(TimeSpan.FromHours(8)).Year;
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO document_numbers (year, last) VALUES (@year, 0) ON CONFLICT (year) DO NOTHING", new { year }, tx, cancellationToken: ct));
        var next = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "UPDATE document_numbers SET last = last + 1 WHERE year = @year RETURNING last", new { year }, tx, cancellationToken: ct));
        return FormatNumber(options.Value.NumberPrefix, year, next);
    }

    /// <summary>京公交简认字〔2026〕第000123号.</summary>
    public static string FormatNumber(string prefix, int year, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}〔{year}〕第{sequence:D6}号");

    private sealed class Row
    {
        public Guid Id { get; set; }

        public Guid CaseId { get; set; }

        public string Number { get; set; } = "";

        public string VerificationCode { get; set; } = "";

        public int Version { get; set; }

        public int LatestVersion { get; set; }

        public string Status { get; set; } = "";

        public string Sha256 { get; set; } = "";

        public DateTimeOffset IssuedAt { get; set; }

        public string CaseStatus { get; set; } = "";

        public byte[] Pdf { get; set; } = [];
    }
}
