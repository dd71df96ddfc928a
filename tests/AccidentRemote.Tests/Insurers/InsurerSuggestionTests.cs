using System.Net;
using System.Net.Http.Json;
using AccidentRemote.Server.Data;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Insurers;

/// <summary>
/// The insurer suggestion is given only inside a report, for the party's own plate: nobody can ask
/// which insurer covers a plate, and asking has its own budget apart from reports and joins.
/// </summary>
public sealed class InsurerSuggestionTests
{
    [Theory]
    [BothDatabases]
    public async Task An_anonymous_look_up_learns_nothing_and_a_party_is_told_only_its_own_plates_insurer(DatabaseProvider provider)
    {
        await using var host = await InsurerHost.StartAsync(provider);
        var pingan = await host.InsurerAsync("pa.desk", "pingan");
        var now = DateTimeOffset.UtcNow;
        await pingan.PostJsonAsync("/api/insurer/policies", new[] { new { plate = "京A12345", policyNumber = "PA-2026-0001", compulsoryValidFrom = now.AddMonths(-1), compulsoryValidTo = now.AddMonths(11) } });

        // A stranger: the old public look-up is gone, and the party endpoint wants a party token.
        var anonymous = host.App.CreateClient();
        foreach (var url in new[] { "/api/policies/suggest?plate=京A12345", "/api/policies/suggest?plate=%E4%BA%ACA12345" })
        {
            var response = await anonymous.GetAsync(url);
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain("pingan", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/cases/{Guid.NewGuid()}/insurer-suggestion")).StatusCode);

        // A reporter with another plate cannot ask about 京A12345: there is no plate to send, only its own.
        var other = await ReportAsync(anonymous, "沪AD12345");
        var otherParty = host.App.PartyClient(other.Token);
        var none = await otherParty.GetAsync($"/api/cases/{other.CaseId}/insurer-suggestion?plate=京A12345");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.DoesNotContain("pingan", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The owner's own report: the insurer is suggested, not yet recorded, until the driver confirms it.
        var owner = await ReportAsync(anonymous, "京A12345");
        var ownerParty = host.App.PartyClient(owner.Token);
        Assert.Equal("pingan", (await ownerParty.GetJsonAsync($"/api/cases/{owner.CaseId}/insurer-suggestion")).GetProperty("insurerCode").GetString());
        await otherParty.GetJsonAsync($"/api/cases/{owner.CaseId}/insurer-suggestion", 404); // another case's party token
        var officer = await host.App.OfficerClientAsync();
        await officer.PostJsonAsync($"/api/cases/{owner.CaseId}/accept", null);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await officer.GetJsonAsync($"/api/cases/{owner.CaseId}")).GetProperty("parties")[0].GetProperty("insurerCode").ValueKind);

        var unknown = await (await ownerParty.PutAsJsonAsync($"/api/cases/{owner.CaseId}/parties/me/insurer", new { insurerCode = "nosuch" })).JsonAsync(400);
        Assert.True(unknown.GetProperty("errors").TryGetProperty("insurerCode", out _));
        Assert.Equal(HttpStatusCode.NoContent, (await ownerParty.PutAsJsonAsync($"/api/cases/{owner.CaseId}/parties/me/insurer", new { insurerCode = "pingan" })).StatusCode);
        var party = (await officer.GetJsonAsync($"/api/cases/{owner.CaseId}")).GetProperty("parties")[0];
        Assert.Equal("pingan", party.GetProperty("insurerCode").GetString());
        Assert.Equal("valid", party.GetProperty("compulsoryInsurance").GetString());
        await ownerParty.GetJsonAsync($"/api/cases/{owner.CaseId}/insurer-suggestion", 404); // chosen: nothing more to suggest
    }

    [Fact]
    public async Task Asking_for_the_suggestion_has_its_own_budget_and_never_uses_up_reports()
    {
        await using var host = await InsurerHost.StartAsync(DatabaseProvider.Sqlite, new()
        {
            ["Cases:ReportsPerMinutePerAddress"] = "2",
            ["Insurers:SuggestionsPerMinutePerClient"] = "3",
        });
        var client = host.App.CreateClient();
        var first = await ReportAsync(client, "京A12345");
        var party = host.App.PartyClient(first.Token);

        // A phone asking again and again (a reload, a flaky network): the suggestion's budget runs out, the reports' does not.
        for (var i = 0; i < 3; i++)
        {
            await party.GetJsonAsync($"/api/cases/{first.CaseId}/insurer-suggestion", 404);
        }

        var limited = await party.GetAsync($"/api/cases/{first.CaseId}/insurer-suggestion");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);

        await ReportAsync(client, "沪AD12345"); // the second report of two still goes through
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsJsonAsync("/api/cases", Api.Report("粤B99999", parties: 1))).StatusCode);
    }

    private static async Task<(string CaseId, string Token)> ReportAsync(HttpClient client, string plate)
    {
        var body = Api.Report(plate, insurer: null, parties: 1);
        body.Remove("policyNumber");
        var report = await client.PostJsonAsync("/api/cases", body, 201);
        return (report.GetProperty("caseId").GetString()!, report.GetProperty("partyToken").GetString()!);
    }
}
