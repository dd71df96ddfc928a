using System.Net;
using System.Text.Json;
using AccidentRemote.Server.Data;
using AccidentRemote.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Documents;

/// <summary>
/// "I disagree" instead of signing (POST /api/cases/{id}/objection): only a party of the case, only for itself, only while
/// the document awaits its signature; recorded on the case's timeline; the case cannot close past it.
/// </summary>
public sealed class ObjectionTests : IDisposable
{
    private readonly TestApp app = TestApp.Embedded();

    public void Dispose() => app.Dispose();

    private static readonly string[] UnknownReason = ["nonsense"];

    private static readonly object Objection = new { reasons = new[] { "liability" }, text = "对方急刹车，不是我的全责" };

    [Fact]
    public async Task Only_a_party_of_the_case_objects_only_for_itself_only_while_the_document_awaits_its_signature()
    {
        var anonymous = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var (caseId, partyIds, tokens) = await Api.CaseWithLiabilityAsync(anonymous, officer);
        var url = $"/api/cases/{caseId}/objection";
        Task<HttpResponseMessage> Post(string token, object body) => Api.Authorized(anonymous, HttpMethod.Post, url, token, body);

        // No document yet: nothing to disagree with.
        var early = await (await Post(tokens[0], Objection)).JsonAsync(409);
        Assert.Contains("无需提出异议", early.GetProperty("detail").GetString(), StringComparison.Ordinal);

        string[] names = ["张伟", "李娜"];
        for (var i = 0; i < tokens.Length; i++)
        {
            await (await Api.Authorized(anonymous, HttpMethod.Put, $"/api/cases/{caseId}/parties/me", tokens[i], new { name = names[i], idNumber = Api.IdNumbers[i] })).JsonAsync(200);
        }

        await officer.PostJsonAsync($"/api/cases/{caseId}/document", new { weather = "晴" });

        // Another case's token, no token, an officer: refused.
        var other = await anonymous.PostJsonAsync("/api/cases", Api.Report("粤B12345", "picc", parties: 1), 201);
        await (await Post(other.GetProperty("partyToken").GetString()!, Objection)).JsonAsync(404);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(url, System.Net.Http.Json.JsonContent.Create(Objection))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PostAsync(url, System.Net.Http.Json.JsonContent.Create(Objection))).StatusCode);

        // Bad input: a reason not on the list, nothing said at all.
        var bad = await (await Post(tokens[1], new { reasons = UnknownReason })).JsonAsync(400);
        Assert.True(bad.GetProperty("errors").TryGetProperty("reasons", out _));
        await (await Post(tokens[1], new { reasons = Array.Empty<string>(), text = "  " })).JsonAsync(400);

        // Party 2 objects: for itself only (the request names no party; the token does).
        var answered = await (await Post(tokens[1], Objection)).JsonAsync(200);
        JsonElement Of(JsonElement doc, string partyId) => doc.GetProperty("signatures").EnumerateArray().Single(s => s.GetProperty("partyId").GetString() == partyId);
        Assert.Equal("对方急刹车，不是我的全责", Of(answered, partyIds[1]).GetProperty("objection").GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, Of(answered, partyIds[0]).GetProperty("objection").ValueKind);

        // The officer sees it with its words; the other party sees that party 2 objected, not what it wrote.
        var asOfficer = await officer.GetJsonAsync($"/api/cases/{caseId}/document");
        Assert.Equal("liability", Of(asOfficer, partyIds[1]).GetProperty("objection").GetProperty("reasons")[0].GetString());
        Assert.Equal("对方急刹车，不是我的全责", Of(asOfficer, partyIds[1]).GetProperty("objection").GetProperty("text").GetString());
        var asParty1 = await app.PartyClient(tokens[0]).GetJsonAsync($"/api/cases/{caseId}/document");
        Assert.Equal(JsonValueKind.Null, Of(asParty1, partyIds[1]).GetProperty("objection").GetProperty("text").ValueKind);

        // Once per party and version.
        var twice = await (await Post(tokens[1], Objection)).JsonAsync(409);
        Assert.Contains("异议已经记录", twice.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // A party that signed cannot object to what it signed.
        await (await Api.Authorized(anonymous, HttpMethod.Post, $"/api/cases/{caseId}/signature", tokens[0], new { png = Convert.ToBase64String(Evidence.TestFiles.Png(120, 40)) })).JsonAsync(200);
        var signed = await (await Post(tokens[0], Objection)).JsonAsync(409);
        Assert.Contains("您已经签过这一版", signed.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The case does not close past the objection, and the refusal says who objects and what to do.
        var close = await officer.PostJsonAsync($"/api/cases/{caseId}/close", null, 409);
        Assert.Contains("当事人2不同意", close.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("awaiting_signatures", close.GetProperty("caseStatus").GetString());

        // On the timeline and in the audit log: the reasons and the text's length, not the text.
        await using (var c = await app.Services.GetRequiredService<Db>().OpenAsync())
        {
            var detail = await c.QuerySingleAsync<string>("SELECT detail FROM case_events WHERE case_id = @caseId AND kind = 'objected'", new { caseId = Guid.Parse(caseId) });
            Assert.Contains("party 2 reasons=liability", detail, StringComparison.Ordinal);
            Assert.DoesNotContain("急刹车", detail, StringComparison.Ordinal);
            Assert.Equal(1, await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM audit_log WHERE case_id = @caseId AND kind = 'objected'", new { caseId = Guid.Parse(caseId) }));
        }

        // The officer revises and issues again: the new version awaits both signatures, and party 2 may object to it afresh.
        var equal = new { scenario = "other", parties = new[] { new { partyId = partyIds[0], liability = "equal" }, new { partyId = partyIds[1], liability = "equal" } } };
        await (await officer.PutAsync($"/api/cases/{caseId}/liability", System.Net.Http.Json.JsonContent.Create(equal))).JsonAsync(200);
        var reissued = await officer.PostJsonAsync($"/api/cases/{caseId}/document", new { weather = "晴" });
        Assert.All(reissued.GetProperty("signatures").EnumerateArray(), s => Assert.Equal(JsonValueKind.Null, s.GetProperty("objection").ValueKind));
        foreach (var token in tokens)
        {
            await (await Api.Authorized(anonymous, HttpMethod.Post, $"/api/cases/{caseId}/signature", token, new { png = Convert.ToBase64String(Evidence.TestFiles.Png(120, 40)) })).JsonAsync(200);
        }

        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);
    }

    [Fact]
    public async Task The_party_session_names_the_tokens_case_and_party_and_until_when_to_keep_it()
    {
        var anonymous = app.CreateClient();
        var report = await anonymous.PostJsonAsync("/api/cases", Api.Report("粤B12345", "picc", parties: 1), 201);
        var who = await app.PartyClient(report.GetProperty("partyToken").GetString()!).GetJsonAsync("/api/party/session");
        Assert.Equal(report.GetProperty("caseId").GetString(), who.GetProperty("caseId").GetString());
        Assert.Equal(report.GetProperty("partyId").GetString(), who.GetProperty("partyId").GetString());
        Assert.Equal(1, who.GetProperty("partyNumber").GetInt32());
        Assert.True(who.GetProperty("keepUntil").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(29));
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/party/session")).StatusCode);
    }
}
