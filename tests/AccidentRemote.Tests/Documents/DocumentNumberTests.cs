using System.Net;
using System.Net.Http.Json;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Data;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Documents;

/// <summary>
/// The document carries what makes it the unit's official act: a number in the traffic police's format, counted per
/// year, and the issuing officer's badge number (警号), recorded with the officer and never taken from the login name.
/// </summary>
public sealed class DocumentNumberTests
{
    [Theory, BothDatabases]
    public async Task Documents_are_numbered_in_the_units_format_one_after_another_each_year(DatabaseProvider provider)
    {
        await using var pg = provider == DatabaseProvider.Postgres ? await PostgresDatabase.CreateAsync() : null;
        var prefix = new Dictionary<string, string?> { ["Documents:NumberPrefix"] = "京公交简认字" };
        using var app = pg is null
            ? TestApp.Embedded(extra: prefix)
            : TestApp.WithSettings(new(prefix) { ["Database:Provider"] = "Postgres", ["Database:ConnectionString"] = pg.ConnectionString, ["Bus:Transport"] = "InMemory" });
        var anonymous = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var year = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).Year;

        var numbers = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var caseId = await ReadyToIssueAsync(anonymous, officer, plate1: $"京A1234{i}", plate2: $"沪AD1234{i}");
            var issued = await (await officer.PostAsJsonAsync($"/api/cases/{caseId}/document", new { weather = "晴" })).JsonAsync(200);
            numbers.Add(issued.GetProperty("number").GetString()!);
        }

        Assert.Equal([$"京公交简认字〔{year}〕第000001号", $"京公交简认字〔{year}〕第000002号"], numbers);
    }

    [Fact]
    public async Task An_officer_without_a_badge_number_cannot_issue_until_a_supervisor_records_the_one_printed()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ar-test-{Guid.NewGuid():N}.db");
        var settings = new Dictionary<string, string?> { ["Database:Provider"] = "Sqlite", ["Database:ConnectionString"] = $"Data Source={file}" };
        using var app = TestApp.Embedded(file);
        try
        {
            // An account made without a badge (as the bootstrap administrator is): signing in works, issuing does not.
            var password = Secrets.NewPassword();
            await app.Services.GetRequiredService<OfficerStore>().CreateOrResetAsync("wang.jg", "王建国", Roles.Officer, password, CancellationToken.None);
            var officer = app.CreateClient();
            var signIn = await officer.PostJsonAsync("/api/officers/sign-in", new { username = "wang.jg", password });
            officer.DefaultRequestHeaders.Authorization = new("Bearer", signIn.GetProperty("token").GetString());
            var caseId = await ReadyToIssueAsync(app.CreateClient(), officer);

            var refused = await officer.PostAsJsonAsync($"/api/cases/{caseId}/document", new { weather = "晴" });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty("badgeNumber", out _), problem.ToString());
            await using (var c = await app.Services.GetRequiredService<Db>().OpenAsync())
            {
                Assert.Equal(0, await Dapper.SqlMapper.ExecuteScalarAsync<int>(c, "SELECT COUNT(*) FROM documents"));
            }

            // A supervisor records it (an officer may not, and a badge that is not one is refused); then it is printed.
            var supervisor = await app.OfficerClientAsync("zhu.ren", Roles.Supervisor);
            Assert.Equal(HttpStatusCode.Forbidden, (await officer.PutAsJsonAsync("/api/officers/wang.jg/badge", new { badgeNumber = "110256" })).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await supervisor.PutAsJsonAsync("/api/officers/wang.jg/badge", new { badgeNumber = "wang.jg" })).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await supervisor.PutAsJsonAsync("/api/officers/nobody/badge", new { badgeNumber = "110256" })).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await supervisor.PutAsJsonAsync("/api/officers/wang.jg/badge", new { badgeNumber = "110256" })).StatusCode);

            await (await officer.PostAsJsonAsync($"/api/cases/{caseId}/document", new { weather = "晴" })).JsonAsync(200);
            var text = PdfReading.Text(await officer.GetByteArrayAsync($"/api/cases/{caseId}/document/pdf"));
            Assert.Contains("警号：110256", text, StringComparison.Ordinal);
            Assert.DoesNotContain("wang.jg", text, StringComparison.Ordinal);

            // The command records one too, and refuses what is not a badge number.
            Assert.Equal(2, await OfficerCommand.RunAsync(["wang.jg", "王建国", Roles.Officer, "--badge", "wang.jg"], settings));
            Assert.Equal(0, await OfficerCommand.RunAsync(["wang.jg", "王建国", Roles.Officer, "--badge", "220311"], settings));
            await using (var c = await app.Services.GetRequiredService<Db>().OpenAsync())
            {
                Assert.Equal("220311", await Dapper.SqlMapper.ExecuteScalarAsync<string>(c, "SELECT badge_number FROM officers WHERE username = 'wang.jg'"));
                Assert.Equal(1, await Dapper.SqlMapper.ExecuteScalarAsync<int>(c, "SELECT COUNT(*) FROM audit_log WHERE kind = 'officer.badge'"));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    /// <summary>A two-party case with liability decided and both parties' names and ID numbers given.</summary>
    private static async Task<string> ReadyToIssueAsync(HttpClient anonymous, HttpClient officer, string plate1 = "京A12345", string plate2 = "沪AD12345")
    {
        var (caseId, _, tokens) = await Api.CaseWithLiabilityAsync(anonymous, officer, plate1: plate1, plate2: plate2);
        for (var i = 0; i < tokens.Length; i++)
        {
            await (await Api.Authorized(anonymous, HttpMethod.Put, $"/api/cases/{caseId}/parties/me", tokens[i], new { name = "甲乙"[i] + "某", idNumber = Api.IdNumbers[i] })).JsonAsync(200);
        }

        return caseId;
    }
}
