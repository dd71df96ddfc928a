using System.Net.Http.Json;
using System.Net;
using System.Security.Cryptography;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Claims;

/// <summary>What a claim carries: the signed document, evidence (clean copies) with signed expiring links, personal data for its own insurer only, fraud signals.</summary>
public sealed class ClaimContentTests
{
    [Fact]
    public async Task A_claim_carries_document_evidence_links_own_driver_data_and_fraud_signals()
    {
        var clock = new FixedClock(DateTimeOffset.UtcNow);
        using var app = TestApp.Embedded(services: s => s.AddSingleton<TimeProvider>(clock));
        var anonymous = app.CreateClient();
        var officer = await app.OfficerClientAsync();

        // 京A12345 was in two other cases this year; this one is its third.
        await anonymous.PostJsonAsync("/api/cases", Api.Report("京A12345", parties: 1), 201);
        await anonymous.PostJsonAsync("/api/cases", Api.Report("京A12345", parties: 1), 201);

        var report = Api.Report("京A12345", "picc");
        report["accidentTime"] = clock.Now.AddHours(-3);
        report["deviceLatitude"] = 39.9587; // about 5.5 km north of the stated place
        report["deviceLongitude"] = 116.3975;
        var first = await anonymous.PostJsonAsync("/api/cases", report, 201);
        var caseId = first.GetProperty("caseId").GetString()!;
        var joined = await anonymous.PostJsonAsync("/api/cases/join", Api.Join(first.GetProperty("joinCode").GetString()!, "沪AD12345", "pingan"), 201);
        string[] tokens = [first.GetProperty("partyToken").GetString()!, joined.GetProperty("partyToken").GetString()!];

        await officer.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        var photo = Evidence.TestFiles.Jpeg(64, 48);
        using (var form = new MultipartFormDataContent { { new ByteArrayContent(photo), "file", "p.jpg" }, { new StringContent("photo"), "kind" }, { new StringContent("plates"), "angle" } })
        {
            using var upload = new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{caseId}/evidence") { Content = form };
            upload.Headers.Authorization = new("Bearer", tokens[0]);
            Assert.Equal(HttpStatusCode.Created, (await anonymous.SendAsync(upload)).StatusCode);
        }

        var signals = await officer.GetJsonAsync($"/api/cases/{caseId}/fraud-signals");
        var codes = signals.EnumerateArray().Select(s => s.GetProperty("code").GetString()).ToList();
        Assert.Contains("repeat-plate", codes);
        Assert.Contains("late-report", codes);
        Assert.Contains("far-from-place", codes);
        Assert.DoesNotContain("repeat-pair", codes);

        var moved = await officer.PostJsonAsync($"/api/cases/{caseId}/vehicles-moved", null);
        var partyIds = moved.GetProperty("parties").EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToArray();
        await (await officer.PutAsJsonAsync($"/api/cases/{caseId}/liability", new { scenario = "rear-end", atFaultPartyId = partyIds[1] })).JsonAsync(200);
        await Api.GiveDetailsAndSignAsync(anonymous, officer, caseId, tokens);
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);

        var inbox = await Eventually.Until(() => officer.GetJsonAsync("/api/embedded-insurers/picc/inbox"), i => i.GetArrayLength() == 1, "picc's claim");
        var claim = inbox[0].GetProperty("claim");
        Assert.Equal("张伟", claim.GetProperty("insured").GetProperty("name").GetString());
        Assert.Equal(Api.IdNumbers[0], claim.GetProperty("insured").GetProperty("idNumber").GetString());
        var other = claim.GetProperty("otherParties")[0];
        Assert.False(other.TryGetProperty("name", out _));
        Assert.False(other.TryGetProperty("phone", out _));
        Assert.Equal("晴", claim.GetProperty("weather").GetString());
        Assert.Equal("rear-end", claim.GetProperty("liabilityScenario").GetString());
        var document = claim.GetProperty("document");
        Assert.EndsWith($"/verify/{document.GetProperty("verificationCode").GetString()}", document.GetProperty("verifyUrl").GetString(), StringComparison.Ordinal);
        Assert.Contains("repeat-plate", claim.GetProperty("fraudSignals").EnumerateArray().Select(s => s.GetProperty("code").GetString()));

        var item = Assert.Single(claim.GetProperty("evidence").EnumerateArray());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(photo)), item.GetProperty("originalSha256").GetString());
        Assert.Equal(1, item.GetProperty("partyNumber").GetInt32());
        var url = new Uri(item.GetProperty("url").GetString()!);
        var local = url.PathAndQuery;
        // The link serves the clean copy (re-encoded, no metadata), whose hash the manifest gives.
        var copy = await anonymous.GetByteArrayAsync(local);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(copy)), item.GetProperty("sha256").GetString());

        // A link changed in any part, or one past its expiry, is refused.
        var tampered = local[..^1] + (local[^1] == '0' ? '1' : '0');
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(tampered)).StatusCode);
        var otherId = local.Replace(item.GetProperty("id").GetString()!, Guid.NewGuid().ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(otherId)).StatusCode);
        var longer = local.Replace("expires=", "expires=9", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(longer)).StatusCode);
        clock.Now = clock.Now.AddDays(15);
        var expired = await anonymous.GetAsync(local);
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        Assert.Contains("expired", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_two_plates_in_a_second_accident_are_flagged()
    {
        using var app = TestApp.Embedded();
        var anonymous = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        await Api.CaseWithLiabilityAsync(anonymous, officer, plate1: "京A12345", plate2: "沪AD12345");
        var (second, _, _) = await Api.CaseWithLiabilityAsync(anonymous, officer, plate1: "沪AD12345", plate2: "京A12345");
        var signals = await officer.GetJsonAsync($"/api/cases/{second}/fraud-signals");
        Assert.Contains("repeat-pair", signals.EnumerateArray().Select(s => s.GetProperty("code").GetString()));
    }
}
