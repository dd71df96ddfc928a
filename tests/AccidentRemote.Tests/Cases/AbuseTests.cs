using System.Net;
using System.Net.Http.Json;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Cases;

/// <summary>Bursts from one address are limited; hostile strings are stored and returned as inert text; two officers never both win a case.</summary>
public sealed class AbuseTests
{
    [Fact]
    public async Task A_burst_of_reports_from_one_address_is_rate_limited_with_a_problem()
    {
        using var app = TestApp.Embedded(extra: new() { ["Cases:ReportsPerMinutePerAddress"] = "3" });
        var client = app.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            await client.PostJsonAsync("/api/cases", Api.Report($"京A1234{i}", parties: 1), 201);
        }

        var limited = await client.PostAsJsonAsync("/api/cases", Api.Report("京A12349", parties: 1));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Contains("请等一分钟后再试", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("'; DROP TABLE cases; --")]
    [InlineData("<script>alert(document.cookie)</script>")]
    [InlineData("\" OR 1=1 --")]
    [InlineData("{{7*7}} ${7*7} <img src=x onerror=alert(1)>")]
    public async Task Injection_strings_in_free_text_are_stored_and_returned_verbatim(string hostile)
    {
        using var app = TestApp.Embedded();
        var client = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var body = Api.Report(parties: 1);
        body["address"] = hostile;
        var report = await client.PostJsonAsync("/api/cases", body, 201);
        var caseId = report.GetProperty("caseId").GetString();
        await officer.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        var moved = await officer.PostJsonAsync($"/api/cases/{caseId}/vehicles-moved", null);
        var liability = await (await officer.PutAsJsonAsync($"/api/cases/{caseId}/liability",
            new { scenario = "other", facts = hostile, parties = new[] { new { partyId = moved.GetProperty("parties")[0].GetProperty("id").GetString(), liability = "full" } } })).JsonAsync(200);

        Assert.Equal(hostile, liability.GetProperty("location").GetProperty("address").GetString());
        Assert.Equal(hostile, liability.GetProperty("facts").GetString());
        // Served only as JSON and never sniffed, so a browser cannot take it for a page; the pages insert it as text.
        var raw = await officer.GetAsync($"/api/cases/{caseId}");
        Assert.Equal("application/json", raw.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", raw.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Two_officers_accepting_the_same_case_at_the_same_moment_one_wins_and_the_other_is_told()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        using var app = TestApp.WithSettings(new() { ["Database:Provider"] = "Postgres", ["Database:ConnectionString"] = database.ConnectionString, ["Bus:Transport"] = "InMemory" });
        var first = await app.OfficerClientAsync("officer1");
        var second = await app.OfficerClientAsync("officer2");
        for (var round = 0; round < 10; round++)
        {
            var report = await app.CreateClient().PostJsonAsync("/api/cases", Api.Report($"京A1234{round}", parties: 1), 201);
            var caseId = report.GetProperty("caseId").GetString();
            var responses = await Task.WhenAll(first.PostAsync($"/api/cases/{caseId}/accept", null), second.PostAsync($"/api/cases/{caseId}/accept", null));
            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
            var loser = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Conflict);
            Assert.Contains("另一位民警刚刚接听了这起案件", await loser.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }
}
