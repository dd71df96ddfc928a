using System.Net;
using System.Net.Http.Json;
using AccidentRemote.Server.Auth;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Insurers;

/// <summary>Insurer staff see and answer only their own insurer's claims; policy records suggest insurers and flag expired compulsory insurance.</summary>
public sealed class InsurerDeskTests : IDisposable
{
    private readonly TestApp app = TestApp.Embedded();

    public void Dispose() => app.Dispose();

    private async Task<HttpClient> InsurerAsync(string username, string code)
    {
        var password = Secrets.NewPassword();
        await app.Services.GetRequiredService<OfficerStore>().CreateOrResetAsync(username, username, Roles.Insurer, password, CancellationToken.None, code);
        var client = app.CreateClient();
        var signIn = await client.PostJsonAsync("/api/officers/sign-in", new { username, password });
        client.DefaultRequestHeaders.Authorization = new("Bearer", signIn.GetProperty("token").GetString());
        return client;
    }

    [Fact]
    public async Task An_insurer_sees_and_answers_only_its_own_claims()
    {
        var anonymous = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var (caseId, _, tokens) = await Api.CaseWithLiabilityAsync(anonymous, officer, "picc", "pingan");
        await Api.GiveDetailsAndSignAsync(anonymous, officer, caseId, tokens);
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);

        var picc = await InsurerAsync("picc.desk", "picc");
        var pingan = await InsurerAsync("pa.desk", "pingan");
        var me = await picc.GetJsonAsync("/api/officers/me");
        Assert.Equal("insurer", me.GetProperty("role").GetString());
        Assert.Equal("picc", me.GetProperty("insurerCode").GetString());

        var list = await Eventually.Until(() => picc.GetJsonAsync("/api/insurer/claims"), l => l.GetArrayLength() == 1, "picc's claim on the desk");
        var claimId = list[0].GetProperty("claimId").GetString();
        Assert.Equal("京A12345", list[0].GetProperty("insuredPlate").GetString());
        var detail = await picc.GetJsonAsync($"/api/insurer/claims/{claimId}");
        Assert.Equal("张伟", detail.GetProperty("claim").GetProperty("insured").GetProperty("name").GetString());
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString((await picc.GetByteArrayAsync($"/api/insurer/claims/{claimId}/document.pdf"))[..4]));

        // Ping An's staff cannot see, download or answer PICC's claim, and no insurer reads police APIs.
        Assert.Single((await pingan.GetJsonAsync("/api/insurer/claims")).EnumerateArray());
        await pingan.GetJsonAsync($"/api/insurer/claims/{claimId}", 404);
        Assert.Equal(HttpStatusCode.NotFound, (await pingan.GetAsync($"/api/insurer/claims/{claimId}/document.pdf")).StatusCode);
        await pingan.PostJsonAsync($"/api/insurer/claims/{claimId}/acknowledge", new { claimReportNumber = "PA-FAKE" }, 404);
        foreach (var url in new[] { $"/api/cases/{caseId}", "/api/queue", $"/api/cases/{caseId}/claims", $"/api/cases/{caseId}/evidence", $"/api/cases/{caseId}/document" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await picc.GetAsync(url)).StatusCode);
        }

        await picc.PostJsonAsync("/api/insurer/claims/" + claimId + "/acknowledge", new { claimReportNumber = "有空格 bad" }, 400);
        // The embedded inbox may have answered already with a DEV- number; a desk answer then conflicts unless it is the same.
        var state = await picc.GetJsonAsync($"/api/insurer/claims/{claimId}");
        if (state.GetProperty("acknowledgedAt").ValueKind == System.Text.Json.JsonValueKind.Null)
        {
            await picc.PostJsonAsync($"/api/insurer/claims/{claimId}/acknowledge", new { claimReportNumber = "PICC-2026-0001" }, 204);
        }

        var number = (await picc.GetJsonAsync($"/api/insurer/claims/{claimId}")).GetProperty("claimReportNumber").GetString();
        await picc.PostJsonAsync($"/api/insurer/claims/{claimId}/acknowledge", new { claimReportNumber = number }, 204);
        await picc.PostJsonAsync($"/api/insurer/claims/{claimId}/acknowledge", new { claimReportNumber = "PICC-OTHER" }, 409);
        var driver = await app.PartyClient(tokens[0]).GetJsonAsync($"/api/cases/{caseId}/claims");
        Assert.Equal(number, driver[0].GetProperty("claimReportNumber").GetString());
    }

    [Fact]
    public async Task Policy_records_suggest_the_insurer_and_flag_expired_compulsory_insurance_to_the_officer()
    {
        var pingan = await InsurerAsync("pa.desk", "pingan");
        var now = DateTimeOffset.UtcNow;
        var stored = await pingan.PostJsonAsync("/api/insurer/policies", new[]
        {
            new { plate = "京A12345", policyNumber = "PDZA2026000001", compulsoryValidFrom = now.AddMonths(-2), compulsoryValidTo = now.AddMonths(10) },
            new { plate = "沪AD12345", policyNumber = "PDZA2025000009", compulsoryValidFrom = now.AddMonths(-14), compulsoryValidTo = now.AddMonths(-2) },
        });
        Assert.Equal(2, stored.GetProperty("stored").GetInt32());
        var bad = await pingan.PostJsonAsync("/api/insurer/policies", new[] { new { plate = "X1", policyNumber = "1", compulsoryValidFrom = now, compulsoryValidTo = now.AddDays(-1) } }, 400);
        Assert.True(bad.GetProperty("errors").TryGetProperty("[0].plate", out _));

        var anonymous = app.CreateClient();
        // The suggestion is given only to a party for its own plate (InsurerSuggestionTests); here: expired cover is not suggested.
        var expired = Api.Report("沪AD12345", insurer: null, parties: 1);
        expired.Remove("policyNumber");
        var expiredReport = await anonymous.PostJsonAsync("/api/cases", expired, 201);
        await app.PartyClient(expiredReport.GetProperty("partyToken").GetString()!)
            .GetJsonAsync($"/api/cases/{expiredReport.GetProperty("caseId").GetString()}/insurer-suggestion", 404);

        var officer = await app.OfficerClientAsync();
        var (caseId, _, _) = await Api.CaseWithLiabilityAsync(anonymous, officer, "pingan", "pingan", plate1: "京A12345", plate2: "沪AD12345");
        var view = await officer.GetJsonAsync($"/api/cases/{caseId}");
        Assert.Equal("valid", view.GetProperty("parties")[0].GetProperty("compulsoryInsurance").GetString());
        Assert.Equal("expired", view.GetProperty("parties")[1].GetProperty("compulsoryInsurance").GetString());
        var (unknownCase, _, _) = await Api.CaseWithLiabilityAsync(anonymous, officer, plate1: "粤B99999", plate2: "川A88888");
        var unknown = await officer.GetJsonAsync($"/api/cases/{unknownCase}");
        Assert.All(unknown.GetProperty("parties").EnumerateArray(), p => Assert.Equal("unknown", p.GetProperty("compulsoryInsurance").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PostAsJsonAsync("/api/insurer/policies", Array.Empty<object>())).StatusCode);
    }
}
