using System.Net.Http.Json;
using System.Text.Json;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Documents;

/// <summary>From liability to the signed PDF over HTTP: details, issue, signatures, download, verification, voiding.</summary>
public sealed class SigningFlowTests : IDisposable
{
    private readonly TestApp app = TestApp.Embedded();

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task Both_parties_sign_and_download_a_PDF_with_both_plates_liability_and_a_QR_that_verifies()
    {
        var anonymous = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var (caseId, _, tokens) = await Api.CaseWithLiabilityAsync(anonymous, officer);

        // The officer cannot issue before the parties gave their details.
        var early = await officer.PostJsonAsync($"/api/cases/{caseId}/document", new { weather = "晴" }, 409);
        Assert.Equal("Case.WrongState", early.GetProperty("code").GetString());
        Assert.Contains("还没有填写姓名和身份证号", early.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var bad = await (await Api.Authorized(anonymous, HttpMethod.Put, $"/api/cases/{caseId}/parties/me", tokens[0], new { name = "张伟", idNumber = "110105194912310021" })).JsonAsync(400);
        Assert.Equal("Details.Invalid", bad.GetProperty("code").GetString());
        Assert.Contains("校验码", bad.GetProperty("errors").GetProperty("idNumber")[0].GetString(), StringComparison.Ordinal);

        await Api.GiveDetailsAndSignAsync(anonymous, officer, caseId, tokens);

        var party = app.PartyClient(tokens[1]);
        var document = await party.GetJsonAsync($"/api/cases/{caseId}/document");
        Assert.Equal("signed", document.GetProperty("status").GetString());
        Assert.All(document.GetProperty("signatures").EnumerateArray(), s => Assert.NotEqual(JsonValueKind.Null, s.GetProperty("signedAt").ValueKind));

        var pdf = await party.GetByteArrayAsync($"/api/cases/{caseId}/document/pdf");
        var text = PdfReading.Text(pdf);
        Assert.Contains("京A12345", text, StringComparison.Ordinal);
        Assert.Contains("沪AD12345", text, StringComparison.Ordinal);
        Assert.Contains("全部", text, StringComparison.Ordinal);
        Assert.Contains("张伟", text, StringComparison.Ordinal);
        var code = document.GetProperty("verificationCode").GetString()!;
        var url = Assert.Single(PdfReading.QrCodes(pdf));
        Assert.EndsWith($"/verify/{code}", url, StringComparison.Ordinal);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pdf)), document.GetProperty("sha256").GetString());

        var verify = await anonymous.GetJsonAsync($"/api/verify/{code}");
        Assert.Equal(document.GetProperty("sha256").GetString(), verify.GetProperty("sha256").GetString());
        using var form = new MultipartFormDataContent { { new ByteArrayContent(pdf), "file", "doc.pdf" } };
        Assert.Contains("unaltered", await (await anonymous.PostAsync($"/verify/{code}", form)).Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        pdf[pdf.Length / 2] ^= 0x01;
        using var forged = new MultipartFormDataContent { { new ByteArrayContent(pdf), "file", "doc.pdf" } };
        Assert.Contains("ALTERED", await (await anonymous.PostAsync($"/verify/{code}", forged)).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Signed: now the case can close.
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);
    }

    [Fact]
    public async Task Changing_liability_after_signing_voids_the_signatures_and_asks_again()
    {
        var anonymous = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var (caseId, partyIds, tokens) = await Api.CaseWithLiabilityAsync(anonymous, officer);
        await Api.GiveDetailsAndSignAsync(anonymous, officer, caseId, tokens);

        var equal = new { scenario = "other", parties = new[] { new { partyId = partyIds[0], liability = "equal" }, new { partyId = partyIds[1], liability = "equal" } } };
        var changed = await (await officer.PutAsJsonAsync($"/api/cases/{caseId}/liability", equal)).JsonAsync(200);
        Assert.Equal("liability_determined", changed.GetProperty("status").GetString());
        var refused = await officer.PostJsonAsync($"/api/cases/{caseId}/close", null, 409);
        Assert.Equal("liability_determined", refused.GetProperty("caseStatus").GetString());

        // Issued again: a new version, unsigned; the old signatures do not count for it.
        var reissued = await officer.PostJsonAsync($"/api/cases/{caseId}/document", new { weather = "雨" });
        Assert.Equal("awaiting_signatures", reissued.GetProperty("status").GetString());
        Assert.All(reissued.GetProperty("signatures").EnumerateArray(), s => Assert.Equal(JsonValueKind.Null, s.GetProperty("signedAt").ValueKind));
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null, 409);

        foreach (var token in tokens)
        {
            await (await Api.Authorized(anonymous, HttpMethod.Post, $"/api/cases/{caseId}/signature", token, new { png = Convert.ToBase64String(Evidence.TestFiles.Png(100, 30)) })).JsonAsync(200);
        }

        var signed = await officer.GetJsonAsync($"/api/cases/{caseId}/document");
        Assert.Equal("signed", signed.GetProperty("status").GetString());
        Assert.Equal(4, signed.GetProperty("version").GetInt32());
        Assert.Contains("同等", PdfReading.Text(await officer.GetByteArrayAsync($"/api/cases/{caseId}/document/pdf")), StringComparison.Ordinal);
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);
    }

    [Fact]
    public async Task A_party_changing_its_details_while_others_sign_voids_the_signatures()
    {
        var anonymous = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var (caseId, _, tokens) = await Api.CaseWithLiabilityAsync(anonymous, officer);
        for (var i = 0; i < 2; i++)
        {
            await (await Api.Authorized(anonymous, HttpMethod.Put, $"/api/cases/{caseId}/parties/me", tokens[i], new { name = "甲乙"[i] + "某", idNumber = Api.IdNumbers[i] })).JsonAsync(200);
        }

        await officer.PostJsonAsync($"/api/cases/{caseId}/document", new { weather = "晴" });
        await (await Api.Authorized(anonymous, HttpMethod.Post, $"/api/cases/{caseId}/signature", tokens[0], new { png = Convert.ToBase64String(Evidence.TestFiles.Png(100, 30)) })).JsonAsync(200);
        var again = await (await Api.Authorized(anonymous, HttpMethod.Post, $"/api/cases/{caseId}/signature", tokens[0], new { png = Convert.ToBase64String(Evidence.TestFiles.Png(100, 30)) })).JsonAsync(409);
        Assert.Contains("已经签过", again.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var renamed = await (await Api.Authorized(anonymous, HttpMethod.Put, $"/api/cases/{caseId}/parties/me", tokens[1], new { name = "乙某某", idNumber = Api.IdNumbers[1] })).JsonAsync(200);
        Assert.Equal("liability_determined", renamed.GetProperty("status").GetString());
        var late = await (await Api.Authorized(anonymous, HttpMethod.Post, $"/api/cases/{caseId}/signature", tokens[1], new { png = Convert.ToBase64String(Evidence.TestFiles.Png(100, 30)) })).JsonAsync(409);
        Assert.Equal("liability_determined", late.GetProperty("caseStatus").GetString());
    }

    [Fact]
    public async Task The_same_details_sent_again_while_others_sign_keep_the_signatures()
    {
        var anonymous = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var (caseId, _, tokens) = await Api.CaseWithLiabilityAsync(anonymous, officer);
        for (var i = 0; i < 2; i++)
        {
            await (await Api.Authorized(anonymous, HttpMethod.Put, $"/api/cases/{caseId}/parties/me", tokens[i], new { name = "甲乙"[i] + "某", idNumber = Api.IdNumbers[i] })).JsonAsync(200);
        }

        await officer.PostJsonAsync($"/api/cases/{caseId}/document", new { weather = "晴" });
        await (await Api.Authorized(anonymous, HttpMethod.Post, $"/api/cases/{caseId}/signature", tokens[0], new { png = Convert.ToBase64String(Evidence.TestFiles.Png(100, 30)) })).JsonAsync(200);

        // The driver page's offline outbox replays a details save that had reached the server.
        var replayed = await (await Api.Authorized(anonymous, HttpMethod.Put, $"/api/cases/{caseId}/parties/me", tokens[1], new { name = "乙某", idNumber = Api.IdNumbers[1].ToLowerInvariant() })).JsonAsync(200);
        Assert.Equal("awaiting_signatures", replayed.GetProperty("status").GetString());
        await (await Api.Authorized(anonymous, HttpMethod.Post, $"/api/cases/{caseId}/signature", tokens[1], new { png = Convert.ToBase64String(Evidence.TestFiles.Png(100, 30)) })).JsonAsync(200);
    }

    [Fact]
    public async Task A_signature_that_is_not_a_PNG_is_refused()
    {
        var anonymous = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var (caseId, _, tokens) = await Api.CaseWithLiabilityAsync(anonymous, officer);
        foreach (var png in new[] { "not base64!", Convert.ToBase64String(Evidence.TestFiles.Jpeg(10, 10)), Convert.ToBase64String(Evidence.TestFiles.Svg()), "" })
        {
            var problem = await (await Api.Authorized(anonymous, HttpMethod.Post, $"/api/cases/{caseId}/signature", tokens[0], new { png })).JsonAsync(400);
            Assert.True(problem.GetProperty("errors").TryGetProperty("png", out _));
        }
    }
}
