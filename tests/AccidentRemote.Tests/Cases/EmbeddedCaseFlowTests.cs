using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Cases;

/// <summary>The whole case over HTTP with the embedded defaults: a SQLite file and the in-memory bus.</summary>
public sealed class EmbeddedCaseFlowTests
{
    [Fact]
    public async Task A_two_party_case_goes_from_report_to_one_claim_in_each_insurers_inbox()
    {
        using var app = TestApp.Embedded();
        var anonymous = app.CreateClient();
        var officer = await app.OfficerClientAsync();

        var report = await anonymous.PostJsonAsync("/api/cases", Api.Report("京A12345", "picc"), 201);
        var caseId = report.GetProperty("caseId").GetString()!;
        Assert.Equal("queued", report.GetProperty("status").GetString());
        Assert.Matches("^[0-9]{8}$", report.GetProperty("joinCode").GetString());
        Assert.StartsWith("ar_p_", report.GetProperty("partyToken").GetString(), StringComparison.Ordinal);

        var queue = await officer.GetJsonAsync("/api/queue");
        var queued = queue.EnumerateArray().Single(q => q.GetProperty("caseId").GetString() == caseId);
        Assert.Equal(1, queued.GetProperty("partiesJoined").GetInt32());

        var joined = await anonymous.PostJsonAsync("/api/cases/join", Api.Join(report.GetProperty("joinCode").GetString()!, "沪AD12345", "pingan"), 201);
        Assert.Equal(caseId, joined.GetProperty("caseId").GetString());
        Assert.Equal(2, joined.GetProperty("partyNumber").GetInt32());

        var accepted = await officer.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        Assert.Equal("in_call", accepted.GetProperty("status").GetString());
        Assert.DoesNotContain((await officer.GetJsonAsync("/api/queue")).EnumerateArray(), q => q.GetProperty("caseId").GetString() == caseId);

        var moved = await officer.PostJsonAsync($"/api/cases/{caseId}/vehicles-moved", null);
        Assert.Equal("vehicles_moved", moved.GetProperty("status").GetString());
        var parties = moved.GetProperty("parties").EnumerateArray().ToList();
        Assert.Equal("13912345678", parties[1].GetProperty("phone").GetString());

        var liability = new { scenario = "rear-end", parties = new[] { new { partyId = parties[0].GetProperty("id").GetString(), liability = "full" }, new { partyId = parties[1].GetProperty("id").GetString(), liability = "none" } } };
        await (await officer.PutAsJsonAsync($"/api/cases/{caseId}/liability", liability)).JsonAsync(200);

        await Api.GiveDetailsAndSignAsync(anonymous, officer, caseId, [report.GetProperty("partyToken").GetString()!, joined.GetProperty("partyToken").GetString()!]);
        var closed = await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        var times = closed.GetProperty("times");
        foreach (var t in new[] { "reportedAt", "answeredAt", "vehiclesMovedAt", "closedAt" })
        {
            Assert.Equal(JsonValueKind.String, times.GetProperty(t).ValueKind);
        }

        var claims = await Eventually.Until(
            () => officer.GetJsonAsync($"/api/cases/{caseId}/claims"),
            c => c.GetArrayLength() == 2 && c.EnumerateArray().All(x => x.GetProperty("status").GetString() == "sent"),
            "both claims to be confirmed");

        foreach (var (insurer, plate, other) in new[] { ("picc", "京A12345", "沪AD12345"), ("pingan", "沪AD12345", "京A12345") })
        {
            var inbox = await Eventually.Until(() => officer.GetJsonAsync($"/api/embedded-insurers/{insurer}/inbox"), i => i.GetArrayLength() > 0, $"{insurer}'s inbox");
            var item = Assert.Single(inbox.EnumerateArray());
            var claim = item.GetProperty("claim");
            Assert.Equal(claims.EnumerateArray().Single(c => c.GetProperty("insurerCode").GetString() == insurer).GetProperty("claimId").GetString(), item.GetProperty("messageId").GetString());
            Assert.Equal(plate, claim.GetProperty("insured").GetProperty("plate").GetString());
            Assert.Equal(other, claim.GetProperty("otherParties")[0].GetProperty("plate").GetString());
            Assert.Equal(1, claim.GetProperty("schemaVersion").GetInt32());
        }

        Assert.Empty((await officer.GetJsonAsync("/api/embedded-insurers/cpic/inbox")).EnumerateArray());
    }

    [Fact]
    public async Task A_party_sees_its_own_case_with_other_phones_masked_and_cannot_see_another_case()
    {
        using var app = TestApp.Embedded();
        var anonymous = app.CreateClient();
        var first = await anonymous.PostJsonAsync("/api/cases", Api.Report("京A12345"), 201);
        var joined = await anonymous.PostJsonAsync("/api/cases/join", Api.Join(first.GetProperty("joinCode").GetString()!), 201);
        var other = await anonymous.PostJsonAsync("/api/cases", Api.Report("粤B12345"), 201);

        var party = app.PartyClient(joined.GetProperty("partyToken").GetString()!);
        var own = await party.GetJsonAsync($"/api/cases/{first.GetProperty("caseId").GetString()}");
        Assert.Equal("138****5678", own.GetProperty("parties")[0].GetProperty("phone").GetString());
        Assert.Equal("13912345678", own.GetProperty("parties")[1].GetProperty("phone").GetString());

        var problem = await party.GetJsonAsync($"/api/cases/{other.GetProperty("caseId").GetString()}", 404);
        Assert.Equal("Case.NotFound", problem.GetProperty("code").GetString());
        Assert.Equal("找不到这起事故。", problem.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await party.GetAsync("/api/queue")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/queue")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.PartyClient("ar_p_forged").GetAsync($"/api/cases/{other.GetProperty("caseId").GetString()}")).StatusCode);
    }

    [Theory]
    [InlineData(true, true, "injuries")]
    [InlineData(false, false, "vehicles_not_drivable")]
    public async Task A_report_that_is_not_eligible_is_kept_as_escalated_and_tells_the_driver_to_call_122(bool injured, bool drivable, string reason)
    {
        using var app = TestApp.Embedded();
        var anonymous = app.CreateClient();
        var zh = await anonymous.PostJsonAsync("/api/cases", Api.Report(injured: injured, drivable: drivable), 201);
        Assert.True(zh.GetProperty("escalated").GetBoolean());
        Assert.Equal("escalated", zh.GetProperty("status").GetString());
        Assert.Contains("122", zh.GetProperty("advice").GetString(), StringComparison.Ordinal);
        Assert.Contains("拨打122", zh.GetProperty("advice").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, zh.GetProperty("joinCode").ValueKind);

        using var english = new HttpRequestMessage(HttpMethod.Post, "/api/cases") { Content = JsonContent.Create(Api.Report("粤B12345", injured: injured, drivable: drivable)) };
        english.Headers.AcceptLanguage.ParseAdd("en-US");
        var en = await (await anonymous.SendAsync(english)).JsonAsync(201);
        Assert.Contains("call 122 now", en.GetProperty("advice").GetString(), StringComparison.OrdinalIgnoreCase);

        var officer = await app.OfficerClientAsync();
        var stored = await officer.GetJsonAsync($"/api/cases/{zh.GetProperty("caseId").GetString()}");
        Assert.Equal(reason, stored.GetProperty("escalationReason").GetString());
        Assert.Empty((await officer.GetJsonAsync("/api/queue")).EnumerateArray());
        await officer.PostJsonAsync($"/api/cases/{zh.GetProperty("caseId").GetString()}/accept", null, 409);
    }
}
