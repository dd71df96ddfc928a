using System.Net.Http.Json;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Cases;

public sealed class SatisfactionTests
{
    [Fact]
    public async Task Each_party_rates_its_closed_case_once_from_1_to_5()
    {
        using var app = TestApp.Embedded();
        var anonymous = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var report = await anonymous.PostJsonAsync("/api/cases", Api.Report(parties: 1), 201);
        var caseId = report.GetProperty("caseId").GetString();
        var party = app.PartyClient(report.GetProperty("partyToken").GetString()!);

        var early = await party.PostJsonAsync($"/api/cases/{caseId}/satisfaction", new { rating = 5 }, 409);
        Assert.Equal("queued", early.GetProperty("caseStatus").GetString());

        await officer.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        var moved = await officer.PostJsonAsync($"/api/cases/{caseId}/vehicles-moved", null);
        await (await officer.PutAsJsonAsync($"/api/cases/{caseId}/liability", new { scenario = "other", parties = new[] { new { partyId = moved.GetProperty("parties")[0].GetProperty("id").GetString(), liability = "full" } } })).JsonAsync(200);
        await Api.GiveDetailsAndSignAsync(anonymous, officer, caseId!, [report.GetProperty("partyToken").GetString()!]);
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);

        var bad = await party.PostJsonAsync($"/api/cases/{caseId}/satisfaction", new { rating = 6 }, 400);
        Assert.True(bad.GetProperty("errors").TryGetProperty("rating", out _));
        await party.PostJsonAsync($"/api/cases/{caseId}/satisfaction", new { rating = 4, comment = "很快，谢谢" }, 204);
        await party.PostJsonAsync($"/api/cases/{caseId}/satisfaction", new { rating = 1 }, 409);
        await officer.PostJsonAsync($"/api/cases/{caseId}/satisfaction", new { rating = 1 }, 403);
    }
}
