using System.Security.Cryptography;
using System.Text.Json;
using AccidentRemote.Tests.Evidence;
using AccidentRemote.Tests.Infrastructure;
using AccidentRemote.Tests.Privacy;
using Npgsql;

namespace AccidentRemote.Tests.Operations;

/// <summary>
/// docs/operations.md's backup and restore, with the operator's scripts (<c>infra/backup.sh</c>,
/// <c>infra/restore.sh</c>) and the real <c>pg_dump</c>/<c>pg_restore</c>: closed cases with signed documents
/// and evidence, backed up, restored into a fresh database and an empty evidence folder, and a server on the
/// restored copy finds the audit chain intact and every document and evidence file as it was.
/// </summary>
public sealed class BackupRestoreTests : IDisposable
{
    private const string PgBin = "/usr/lib/postgresql/15/bin";
    private readonly string root = Directory.CreateTempSubdirectory("ar-backup-").FullName;

    private sealed record Closed(string CaseId, string Token, string VerificationCode, string DocumentSha256, byte[] Pdf, string EvidenceId, string EvidenceSha256);

    [Fact]
    public async Task A_backup_restored_into_a_fresh_database_and_folder_keeps_the_audit_chain_documents_and_evidence_verifying()
    {
        var repo = ProvisionedBroker.RepositoryRoot();
        var sourceEvidence = Path.Combine(root, "evidence");
        var restoredEvidence = Path.Combine(root, "restored-evidence");
        await using var source = await PostgresDatabase.CreateAsync();
        await using var target = await PostgresDatabase.CreateAsync();

        // Two closed cases, each with a photo and a document both parties signed.
        var closed = new List<Closed>();
        using (var app = Host(source, sourceEvidence))
        {
            var officer = await app.OfficerClientAsync("sup", "supervisor");
            foreach (var (plate1, plate2) in new[] { ("京A11111", "沪B22222"), ("京C33333", "沪D44444") })
            {
                var anonymous = app.CreateClient();
                var (caseId, _, tokens) = await Api.CaseWithLiabilityAsync(anonymous, officer, plate1: plate1, plate2: plate2);
                var party = app.PartyClient(tokens[0]);
                var photo = TestFiles.Jpeg(64, 48);
                var item = await Upload.PostAsync(party, caseId, photo, 201, fields: new() { ["angle"] = "collision-point" });
                await Api.GiveDetailsAndSignAsync(anonymous, officer, caseId, tokens);
                await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);
                var document = await party.GetJsonAsync($"/api/cases/{caseId}/document");
                var pdf = await party.GetByteArrayAsync($"/api/cases/{caseId}/document/pdf");
                closed.Add(new Closed(caseId, tokens[0], document.GetProperty("verificationCode").GetString()!, document.GetProperty("sha256").GetString()!,
                    pdf, item.GetProperty("id").GetString()!, item.GetProperty("sha256").GetString()!));
            }

            Assert.True((await officer.GetJsonAsync("/api/audit/verify")).GetProperty("intact").GetBoolean());
        }

        // Back up with the operator's script, restore into the fresh database and an empty folder.
        var backups = Path.Combine(root, "backups");
        (await Script("backup.sh", [backups], source.Name, sourceEvidence)).Succeeded("infra/backup.sh");
        var backup = Assert.Single(Directory.GetDirectories(backups));
        Assert.Equal(["MANIFEST", "SHA256SUMS", "database.dump", "evidence.tar"], Directory.GetFiles(backup).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("PGDMP"u8.ToArray(), File.ReadAllBytes(Path.Combine(backup, "database.dump"))[..5]); // pg_dump's custom format
        var restored = (await Script("restore.sh", [backup], target.Name, restoredEvidence)).Succeeded("infra/restore.sh");
        Assert.Contains("restored: schema version", restored.Output, StringComparison.Ordinal);
        Assert.Equal(await CountsAsync(source), await CountsAsync(target));

        // A second restore over the now-filled database is refused: a restore never overwrites.
        var again = await Script("restore.sh", [backup], target.Name, Path.Combine(root, "other-evidence"));
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("restore into a new, empty database", again.Error, StringComparison.Ordinal);

        // The operator's check on the restored database.
        var audit = await ServerCommand.RunAsync(new() { ["Database:Provider"] = "Postgres", ["Database:ConnectionString"] = target.ConnectionString }, "verify-audit");
        Assert.True(audit.ExitCode == 0, $"verify-audit on the restored database exited {audit.ExitCode}:\n{audit.Output}\n{audit.Error}");

        using (var app = Host(target, restoredEvidence))
        {
            var supervisor = await app.OfficerClientAsync("sup2", "supervisor");
            var chain = await supervisor.GetJsonAsync("/api/audit/verify");
            Assert.True(chain.GetProperty("intact").GetBoolean(), chain.ToString());
            Assert.True(chain.GetProperty("entries").GetInt64() >= 26, "the restored chain has both cases' entries");

            var anonymous = app.CreateClient();
            foreach (var c in closed)
            {
                // The document: genuine by its code, the stored copy intact, the PDF byte for byte the one the party had.
                var verified = await anonymous.GetJsonAsync($"/api/verify/{c.VerificationCode}");
                Assert.True(verified.GetProperty("genuine").GetBoolean(), verified.ToString());
                Assert.True(verified.GetProperty("storedCopyIntact").GetBoolean(), verified.ToString());
                Assert.Equal("closed", verified.GetProperty("caseStatus").GetString());
                Assert.Equal(c.DocumentSha256, verified.GetProperty("sha256").GetString());
                var upload = new MultipartFormDataContent { { new ByteArrayContent(c.Pdf), "file", "document.pdf" } };
                var check = await (await anonymous.PostAsync($"/api/verify/{c.VerificationCode}", upload)).JsonAsync(200);
                Assert.Equal("unaltered", check.GetProperty("upload").GetProperty("result").GetString());

                // The party's link still works on the restored copy (token hashes are in the database).
                var party = app.PartyClient(c.Token);
                var pdf = await party.GetByteArrayAsync($"/api/cases/{c.CaseId}/document/pdf");
                Assert.Equal(c.DocumentSha256, Convert.ToHexStringLower(SHA256.HashData(pdf)));
                Assert.Equal(c.Pdf, pdf);

                // The evidence file came back with the folder, and its hash is the one recorded at capture
                // (read by the supervisor: a party sees evidence only while its case is open).
                var photo = await supervisor.GetByteArrayAsync($"/api/evidence/{c.EvidenceId}/content");
                Assert.Equal(c.EvidenceSha256, Convert.ToHexStringLower(SHA256.HashData(photo)));
            }
        }
    }

    private static TestApp Host(PostgresDatabase db, string evidence) => TestApp.WithSettings(new()
    {
        ["Database:Provider"] = "Postgres",
        ["Database:ConnectionString"] = db.ConnectionString,
        ["Bus:Transport"] = "InMemory",
        ["Evidence:StoragePath"] = evidence,
    });

    private static Task<Commands.Result> Script(string script, string[] args, string database, string evidence)
    {
        var admin = TestServices.PostgresBuilder();
        return Commands.RunAsync("bash", [Path.Combine(ProvisionedBroker.RepositoryRoot(), "infra", script), .. args], new Dictionary<string, string>
        {
            ["AR_DATABASE"] = $"host={admin.Host} port={admin.Port} user={admin.Username} dbname={database}",
            ["PGPASSWORD"] = admin.Password ?? "",
            ["AR_EVIDENCE"] = evidence,
            ["PG_BIN"] = PgBin,
        });
    }

    /// <summary>Rows per table that matters, to show nothing was lost on the way.</summary>
    private static async Task<string> CountsAsync(PostgresDatabase db)
    {
        await using var c = new NpgsqlConnection(db.ConnectionString);
        await c.OpenAsync();
        var counts = new List<string>();
        foreach (var table in new[] { "cases", "parties", "documents", "signatures", "evidence", "audit_log", "claims", "server_secrets", "schema_migrations" })
        {
            await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {table}", c);
            counts.Add($"{table}={await cmd.ExecuteScalarAsync()}");
        }

        return string.Join(' ', counts);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
