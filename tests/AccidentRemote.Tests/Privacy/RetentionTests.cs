using System.Net.Http.Json;
using System.Text.Json;
using AccidentRemote.Server.Data;
using AccidentRemote.Tests.Evidence;
using AccidentRemote.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Privacy;

/// <summary>
/// Retention on both databases: the purge (the <c>purge</c> command and the hosted job) removes the
/// evidence files and personal fields of cases past their retention, keeps those within it, records
/// each removal with the hash of what was removed, and the audit chain still verifies.
/// </summary>
public sealed class RetentionTests
{
    /// <summary>One server (and the same settings for its command line) on SQLite or PostgreSQL, with a clock the test sets.</summary>
    internal sealed class Host : IAsyncDisposable
    {
        private readonly PostgresDatabase? pg;
        private readonly string? sqliteFile;

        private Host(PostgresDatabase? pg, string? sqliteFile, Dictionary<string, string?> settings, FixedClock clock)
        {
            this.pg = pg;
            this.sqliteFile = sqliteFile;
            Settings = settings;
            Clock = clock;
            // Embedded with every setting overridden: the provider and connection are the test's; the clock replaces the system's.
            App = TestApp.Embedded(sqliteFile: sqliteFile ?? "unused.db", extra: settings, services: s => s.AddSingleton<TimeProvider>(clock));
        }

        public Dictionary<string, string?> Settings { get; }

        public FixedClock Clock { get; }

        public TestApp App { get; }

        public string EvidencePath => Settings["Evidence:StoragePath"]!;

        public static async Task<Host> StartAsync(DatabaseProvider provider, DateTimeOffset start, Dictionary<string, string?>? extra = null)
        {
            var pg = provider == DatabaseProvider.Postgres ? await PostgresDatabase.CreateAsync() : null;
            var file = pg is null ? Path.Combine(Path.GetTempPath(), $"ar-retention-{Guid.NewGuid():N}.db") : null;
            var settings = new Dictionary<string, string?>
            {
                ["Database:Provider"] = provider.ToString(),
                ["Database:ConnectionString"] = pg?.ConnectionString ?? $"Data Source={file}",
                ["Bus:Transport"] = "InMemory",
                ["Evidence:StoragePath"] = Path.Combine(Path.GetTempPath(), $"ar-retention-evidence-{Guid.NewGuid():N}"),
                ["Privacy:Retention:EvidenceFiles"] = "30.00:00:00",
                ["Privacy:Retention:PersonalData"] = "40.00:00:00",
                ["Privacy:Retention:StaffSessions"] = "1.00:00:00",
                ["Privacy:PurgeInterval"] = "00:00:00",
            };
            foreach (var (k, v) in extra ?? [])
            {
                settings[k] = v;
            }

            return new Host(pg, file, settings, new FixedClock(start));
        }

        public async Task<System.Data.Common.DbConnection> OpenAsync() => await App.Services.GetRequiredService<Db>().OpenAsync();

        public async ValueTask DisposeAsync()
        {
            App.Dispose();
            if (pg is not null)
            {
                await pg.DisposeAsync();
            }

            if (sqliteFile is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var f in new[] { sqliteFile, sqliteFile + "-wal", sqliteFile + "-shm" })
                {
                    File.Delete(f);
                }
            }

            if (Directory.Exists(EvidencePath))
            {
                foreach (var f in Directory.GetFiles(EvidencePath, "*", SearchOption.AllDirectories))
                {
                    File.SetAttributes(f, FileAttributes.Normal);
                }

                Directory.Delete(EvidencePath, recursive: true);
            }
        }
    }

    /// <summary>A case handled to the end at the clock's time: two parties with details, a photo, the signed document, closed; the claims answered.</summary>
    internal static async Task<ClosedCase> CloseACaseAsync(Host host, string plate1, string plate2, int photoWidth)
    {
        var anonymous = host.App.CreateClient();
        var officer = await host.App.OfficerClientAsync($"sup{Guid.NewGuid():N}"[..12], "supervisor");
        var report = Api.Report(plate1);
        report["accidentTime"] = host.Clock.Now.AddMinutes(-3);
        var reported = await anonymous.PostJsonAsync("/api/cases", report, 201);
        var caseId = reported.GetProperty("caseId").GetString()!;
        var joined = await anonymous.PostJsonAsync("/api/cases/join", Api.Join(reported.GetProperty("joinCode").GetString()!, plate2), 201);
        string[] tokens = [reported.GetProperty("partyToken").GetString()!, joined.GetProperty("partyToken").GetString()!];
        var photo = await Upload.PostAsync(host.App.PartyClient(tokens[0]), caseId, TestFiles.Png(photoWidth, 30, noise: true), 201);
        await officer.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        var moved = await officer.PostJsonAsync($"/api/cases/{caseId}/vehicles-moved", null);
        var partyIds = moved.GetProperty("parties").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToArray();
        var liability = new { scenario = "rear-end", facts = "乙车追尾甲车", parties = new[] { new { partyId = partyIds[0], liability = "full" }, new { partyId = partyIds[1], liability = "none" } } };
        await (await officer.PutAsJsonAsync($"/api/cases/{caseId}/liability", liability)).JsonAsync(200);
        await Api.GiveDetailsAndSignAsync(anonymous, officer, caseId, tokens);
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);
        await using var c = await host.OpenAsync();
        await Eventually.Until(
            () => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM claims WHERE case_id = @caseId AND acknowledged_at IS NOT NULL", new { caseId }),
            n => n == 2, "both claims answered by the embedded insurers");
        var code = await c.QuerySingleAsync<string>("SELECT verification_code FROM documents WHERE case_id = @caseId AND status = 'signed'", new { caseId });
        return new ClosedCase(caseId, partyIds, photo.GetProperty("sha256").GetString()!, code);
    }

    internal sealed record ClosedCase(string CaseId, string[] PartyIds, string PhotoSha256, string VerificationCode);

    [Theory]
    [BothDatabases]
    public async Task The_purge_command_removes_files_and_personal_fields_past_retention_keeps_the_rest_and_the_audit_chain_verifies(DatabaseProvider provider)
    {
        // The cases are made on a clock set back in time, so that the command, on the real clock, finds them due.
        var now = DateTimeOffset.UtcNow;
        await using var host = await Host.StartAsync(provider, now.AddDays(-45));
        var old = await CloseACaseAsync(host, "京A12345", "沪AD12345", 40);   // closed 45 days ago: past both retentions
        host.Clock.Now = now.AddDays(-25);
        var recent = await CloseACaseAsync(host, "京B12345", "沪BD12345", 41); // closed 25 days ago: within both
        host.Clock.Now = now;
        await using var c = await host.OpenAsync();
        var sessionsBefore = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM officer_sessions");
        var oldParties = (await c.QueryAsync<(string Phone, string IdNumber)>(
            "SELECT phone, id_number FROM parties WHERE case_id = @CaseId", new { old.CaseId })).ToList();
        Assert.Equal(2, oldParties.Count);
        Assert.True(File.Exists(Path.Combine(host.EvidencePath, old.PhotoSha256)));
        // The clean copy made for insurers (no EXIF) is a file of its own, and goes with the original.
        var oldCopy = await c.QuerySingleAsync<string>(
            "SELECT k.sha256 FROM evidence_copies k JOIN evidence e ON e.id = k.evidence_id WHERE e.case_id = @CaseId", new { old.CaseId });
        Assert.True(File.Exists(Path.Combine(host.EvidencePath, "copies", oldCopy)));

        var purge = await ServerCommand.RunAsync(host.Settings, "purge");
        Assert.True(purge.ExitCode == 0, purge.Output + purge.Error);
        Assert.Contains("1 evidence files, personal data of 2 parties, 2 staff sessions", purge.Output, StringComparison.Ordinal);

        // Past retention: the file is gone, its row and hash stay; the personal fields are empty.
        Assert.False(File.Exists(Path.Combine(host.EvidencePath, old.PhotoSha256)));
        Assert.False(File.Exists(Path.Combine(host.EvidencePath, "copies", oldCopy)));
        var oldEvidence = await c.QuerySingleAsync<(string Sha256, string? FilePurgedAt, double? Latitude)>(
            "SELECT sha256, CAST(file_purged_at AS TEXT) AS file_purged_at, latitude FROM evidence WHERE case_id = @CaseId", new { old.CaseId });
        Assert.Equal(old.PhotoSha256, oldEvidence.Sha256);
        Assert.NotNull(oldEvidence.FilePurgedAt);
        var cleared = (await c.QueryAsync<PartyFields>($"SELECT {PartyFields.Columns} FROM parties WHERE case_id = @CaseId", new { old.CaseId })).ToList();
        Assert.All(cleared, p =>
        {
            Assert.Null(p.Name);
            Assert.Null(p.IdNumber);
            Assert.Equal("", p.Phone);
            Assert.Null(p.PolicyNumber);
            Assert.Null(p.DeviceLatitude);
            Assert.NotNull(p.PersonalDataRemovedAt);
            Assert.False(string.IsNullOrEmpty(p.Plate)); // the vehicle stays: statistics and the document need it
            Assert.NotNull(p.ConsentVersion);          // and so does the record of the consent
        });
        Assert.All(await c.QueryAsync<byte[]>("SELECT png FROM signatures WHERE case_id = @CaseId", new { old.CaseId }), png => Assert.Empty(png));
        foreach (var payload in await c.QueryAsync<string>("SELECT payload FROM claims WHERE case_id = @CaseId", new { old.CaseId }))
        {
            var insured = JsonDocument.Parse(payload).RootElement.GetProperty("insured");
            Assert.Equal("", insured.GetProperty("phone").GetString());
            Assert.Equal(JsonValueKind.Null, insured.GetProperty("idNumber").ValueKind);
        }

        // Within retention: everything is still there.
        Assert.True(File.Exists(Path.Combine(host.EvidencePath, recent.PhotoSha256)));
        var kept = (await c.QueryAsync<PartyFields>($"SELECT {PartyFields.Columns} FROM parties WHERE case_id = @CaseId", new { recent.CaseId })).ToList();
        Assert.All(kept, p =>
        {
            Assert.NotNull(p.Name);
            Assert.NotNull(p.IdNumber);
            Assert.NotEqual("", p.Phone);
            Assert.Null(p.PersonalDataRemovedAt);
        });
        Assert.Equal(1, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM evidence WHERE case_id = @CaseId AND file_purged_at IS NULL", new { recent.CaseId }));
        Assert.Equal(sessionsBefore - 2, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM officer_sessions"));

        // Each removal is an audit entry with the hash of what it was, and no personal data in clear.
        var entries = (await c.QueryAsync<(string Kind, string? CaseId, string Detail)>(
            "SELECT kind, case_id, detail FROM audit_log WHERE kind IN ('evidence_file_removed', 'personal_data_removed', 'staff_sessions_removed') ORDER BY seq")).ToList();
        var file = Assert.Single(entries, e => e.Kind == "evidence_file_removed");
        Assert.Equal(old.CaseId, file.CaseId);
        Assert.Contains($"sha256={old.PhotoSha256}", file.Detail, StringComparison.Ordinal);
        var people = entries.Where(e => e.Kind == "personal_data_removed").ToList();
        Assert.Equal(2, people.Count);
        Assert.All(people, e => Assert.Matches("sha256 of the removed values=[0-9a-f]{64}", e.Detail));
        Assert.Equal(old.PartyIds.Order(), people.Select(e => e.Detail.Split(' ')[1].TrimEnd(':')).Order());
        Assert.Contains(entries, e => e.Kind == "staff_sessions_removed" && System.Text.RegularExpressions.Regex.IsMatch(e.Detail, "sha256 of their token hashes=[0-9a-f]{64}"));
        var allDetails = string.Join("\n", await c.QueryAsync<string?>("SELECT detail FROM audit_log"));
        foreach (var (phone, idNumber) in oldParties)
        {
            Assert.DoesNotContain(phone, allDetails, StringComparison.Ordinal);
            Assert.DoesNotContain(idNumber, allDetails, StringComparison.Ordinal);
        }

        // The chain verifies, on the API and with the command; the signed document still verifies by its code.
        var supervisor = await host.App.OfficerClientAsync("after", "supervisor");
        Assert.True((await supervisor.GetJsonAsync("/api/audit/verify")).GetProperty("intact").GetBoolean());
        var verify = await ServerCommand.RunAsync(host.Settings, "verify-audit");
        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
        Assert.Contains("intact", verify.Output, StringComparison.Ordinal);
        var document = await host.App.CreateClient().GetJsonAsync($"/api/verify/{old.VerificationCode}");
        Assert.True(document.GetProperty("genuine").GetBoolean());
        Assert.True(document.GetProperty("storedCopyIntact").GetBoolean());

        // A second round finds nothing more to do.
        var again = await ServerCommand.RunAsync(host.Settings, "purge");
        Assert.Contains("0 evidence files, personal data of 0 parties, 0 staff sessions", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hosted_job_purges_what_is_due_on_its_interval()
    {
        var now = DateTimeOffset.UtcNow;
        await using var host = await Host.StartAsync(DatabaseProvider.Sqlite, now, new() { ["Privacy:PurgeInterval"] = "00:00:01" });
        var due = await CloseACaseAsync(host, "京A12345", "沪AD12345", 40);
        await using var c = await host.OpenAsync();
        Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM parties WHERE personal_data_removed_at IS NOT NULL"));

        host.Clock.Now = now.AddDays(41);
        await Eventually.Until(
            () => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM parties WHERE case_id = @CaseId AND personal_data_removed_at IS NOT NULL", new { due.CaseId }),
            n => n == 2, "the job to remove both parties' personal data");
        await Eventually.Until(() => Task.FromResult(File.Exists(Path.Combine(host.EvidencePath, due.PhotoSha256))), exists => !exists, "the photo file to be deleted");
        var supervisor = await host.App.OfficerClientAsync("after", "supervisor");
        Assert.True((await supervisor.GetJsonAsync("/api/audit/verify")).GetProperty("intact").GetBoolean());
    }

    internal sealed class PartyFields
    {
        public const string Columns = "plate, name, id_number, phone, policy_number, device_latitude, consent_version, CAST(personal_data_removed_at AS TEXT) AS personal_data_removed_at";

        public string Plate { get; set; } = "";

        public string? Name { get; set; }

        public string? IdNumber { get; set; }

        public string Phone { get; set; } = "";

        public string? PolicyNumber { get; set; }

        public double? DeviceLatitude { get; set; }

        public string? ConsentVersion { get; set; }

        public string? PersonalDataRemovedAt { get; set; }
    }
}
