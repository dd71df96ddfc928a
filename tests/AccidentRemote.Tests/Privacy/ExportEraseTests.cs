using System.Net.Http.Json;
using System.Text.Json;
using AccidentRemote.Contracts.Claims;
using AccidentRemote.Server.Claims;
using AccidentRemote.Server.Data;
using AccidentRemote.Server.Privacy;
using AccidentRemote.Tests.Evidence;
using AccidentRemote.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Privacy;

/// <summary>
/// A supervisor exports everything held about one person and erases a case's personal data early,
/// on PostgreSQL and RabbitMQ (where an insurer that has not answered is real: nobody consumes the
/// claims until the test answers them). Each step is audited and the chain still verifies.
/// </summary>
public sealed class ExportEraseTests
{
    [Fact]
    public async Task A_supervisor_exports_a_persons_data_and_erases_a_case_once_it_is_closed_and_every_claim_is_answered()
    {
        await using var pg = await PostgresDatabase.CreateAsync();
        await using var vhost = await RabbitVhost.CreateAsync();
        var evidence = Path.Combine(Path.GetTempPath(), $"ar-erase-evidence-{Guid.NewGuid():N}");
        var settings = new Dictionary<string, string?> { ["Evidence:StoragePath"] = evidence, ["Privacy:PurgeInterval"] = "00:00:00" };
        try
        {
            using var app = TestApp.Production(pg.ConnectionString, vhost.Name, extra: settings);
            var cli = new Dictionary<string, string?>(settings)
            {
                ["Database:Provider"] = "Postgres",
                ["Database:ConnectionString"] = pg.ConnectionString,
            };
            var anonymous = app.CreateClient();
            var supervisor = await app.OfficerClientAsync("sup", "supervisor");
            var (caseId, partyIds, tokens) = await Api.CaseWithLiabilityAsync(anonymous, supervisor);
            var photo = await Upload.PostAsync(app.PartyClient(tokens[0]), caseId, TestFiles.Png(40, 30, noise: true), 201);
            var photoSha = photo.GetProperty("sha256").GetString()!;
            await Api.GiveDetailsAndSignAsync(anonymous, supervisor, caseId, tokens);

            // Open: refused, and told why.
            var open = await supervisor.PostJsonAsync($"/api/privacy/cases/{caseId}/erase", null, 409);
            Assert.Equal("Erase.Refused", open.GetProperty("code").GetString());
            Assert.Contains("处理还需要这些信息", open.GetProperty("detail").GetString(), StringComparison.Ordinal);

            // Closed, but the insurers have not answered the claims: refused, naming them.
            await supervisor.PostJsonAsync($"/api/cases/{caseId}/close", null);
            var unanswered = await supervisor.PostJsonAsync($"/api/privacy/cases/{caseId}/erase", null, 409);
            Assert.Contains("发给 picc, pingan 的理赔还没有回复", unanswered.GetProperty("detail").GetString(), StringComparison.Ordinal);

            // Export by phone (API, any spelling of the number): the party, its case, evidence, document, claim, consent and audit entries.
            var officer = await app.OfficerClientAsync("plain");
            await officer.PostJsonAsync("/api/privacy/export", new { phone = "13812345678" }, 403);
            using var exportResponse = await supervisor.PostAsJsonAsync("/api/privacy/export", new { phone = "+86 138 1234 5678" });
            Assert.Equal("no-store", exportResponse.Headers.CacheControl?.ToString());
            var export = await exportResponse.JsonAsync(200);
            var found = Assert.Single(export.GetProperty("cases").EnumerateArray());
            Assert.Equal(partyIds[0], found.GetProperty("party").GetProperty("id").GetString());
            Assert.Equal("张伟", found.GetProperty("party").GetProperty("name").GetString());
            Assert.Equal(Api.IdNumbers[0], found.GetProperty("party").GetProperty("idNumber").GetString());
            Assert.Equal(PrivacyNotice.Version, found.GetProperty("consent").GetProperty("noticeVersion").GetString());
            Assert.Equal(caseId, found.GetProperty("case").GetProperty("id").GetString());
            Assert.Contains(found.GetProperty("evidence").EnumerateArray(), e => e.GetProperty("sha256").GetString() == photoSha);
            Assert.Contains(found.GetProperty("documents").EnumerateArray(), d => d.GetProperty("status").GetString() == "signed");
            Assert.Equal("picc", Assert.Single(found.GetProperty("claims").EnumerateArray()).GetProperty("insurerCode").GetString());
            Assert.Contains(found.GetProperty("auditEntries").EnumerateArray(), a => a.GetProperty("kind").GetString() == "signed");

            // Export by ID number with the command, to a file.
            var file = Path.Combine(Path.GetTempPath(), $"ar-export-{Guid.NewGuid():N}.json");
            try
            {
                var byId = await ServerCommand.RunAsync(cli, "export-person", "--id-number", Api.IdNumbers[1], "--out", file, "--by", "王主任");
                Assert.True(byId.ExitCode == 0, byId.Output + byId.Error);
                var written = JsonDocument.Parse(await File.ReadAllTextAsync(file)).RootElement;
                Assert.Equal("13912345678", Assert.Single(written.GetProperty("cases").EnumerateArray()).GetProperty("party").GetProperty("phone").GetString());
            }
            finally
            {
                File.Delete(file);
            }

            // The insurers answer; now the case may be erased (the command, as a supervisor at the terminal).
            var ledger = app.Services.GetRequiredService<ClaimLedger>();
            var db = app.Services.GetRequiredService<Db>();
            await using var c = await db.OpenAsync();
            foreach (var (claimId, insurer) in await c.QueryAsync<(Guid, string)>("SELECT id, insurer_code FROM claims WHERE case_id = @caseId", new { caseId }))
            {
                var ack = new ClaimAcknowledged { ClaimId = claimId, InsurerCode = insurer, ClaimReportNumber = $"{insurer.ToUpperInvariant()}-2026-1", AcknowledgedAt = DateTimeOffset.UtcNow };
                Assert.Equal(AcknowledgementResult.Recorded, (await ledger.RecordAcknowledgementAsync(ack, brokerUser: null, CancellationToken.None)).Result);
            }

            Assert.True(File.Exists(Path.Combine(evidence, photoSha)));
            var erase = await ServerCommand.RunAsync(cli, "erase-case", caseId, "--by", "王主任");
            Assert.True(erase.ExitCode == 0, erase.Output + erase.Error);
            Assert.Contains("Erased the personal data of 2 parties and 1 evidence files", erase.Output, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(evidence, photoSha)));
            var parties = (await c.QueryAsync<(string Phone, string? Name, string? IdNumber, string? PolicyNumber)>(
                "SELECT phone, name, id_number, policy_number FROM parties WHERE case_id = @caseId", new { caseId })).ToList();
            Assert.All(parties, p => Assert.Equal(("", null, null, null), (p.Phone, p.Name, p.IdNumber, p.PolicyNumber)));
            Assert.Equal(1, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM evidence WHERE case_id = @caseId AND sha256 = @photoSha AND file_purged_at IS NOT NULL", new { caseId, photoSha }));

            // Nothing is held about the person any more; the export of nobody is still audited.
            var none = await supervisor.PostJsonAsync("/api/privacy/export", new { phone = "13812345678" });
            Assert.Empty(none.GetProperty("cases").EnumerateArray());

            var audit = (await c.QueryAsync<(string Actor, string Kind, string? Detail)>(
                "SELECT actor, kind, detail FROM audit_log WHERE kind IN ('personal_data_exported', 'erasure_requested', 'personal_data_removed', 'evidence_file_removed') ORDER BY seq")).ToList();
            Assert.Equal(["personal_data_exported", "personal_data_exported", "erasure_requested", "evidence_file_removed", "personal_data_removed", "personal_data_removed", "personal_data_exported"],
                audit.Select(a => a.Kind));
            Assert.Equal("supervisor-cli:王主任", audit.Single(a => a.Kind == "erasure_requested").Actor);
            var details = string.Join("\n", await c.QueryAsync<string?>("SELECT detail FROM audit_log"));
            foreach (var secret in new[] { "13812345678", "13912345678", Api.IdNumbers[0], Api.IdNumbers[1] })
            {
                Assert.DoesNotContain(secret, details, StringComparison.Ordinal);
            }

            Assert.True((await supervisor.GetJsonAsync("/api/audit/verify")).GetProperty("intact").GetBoolean());
            var verify = await ServerCommand.RunAsync(cli, "verify-audit");
            Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
        }
        finally
        {
            if (Directory.Exists(evidence))
            {
                foreach (var f in Directory.GetFiles(evidence, "*", SearchOption.AllDirectories))
                {
                    File.SetAttributes(f, FileAttributes.Normal);
                }

                Directory.Delete(evidence, recursive: true);
            }
        }
    }
}
