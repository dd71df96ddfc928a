using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AccidentRemote.Tests.Evidence;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Web;

/// <summary>
/// Refusals are in the language the request asks for (Accept-Language: zh-CN or en), carry a stable
/// <c>code</c>, and never show a state's machine name, an API path or an id: for a representative set of
/// refusals (no such case, wrong state, not yours, a bad report, a failed and a throttled sign-in, a
/// refused file, a bad instruction field).
/// </summary>
public sealed partial class ServerMessageLanguageTests : IDisposable
{
    private readonly TestApp app = TestApp.Embedded(extra: new() { ["Auth:SignInFailuresPerUsername"] = "2" });

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task Each_refusal_is_in_the_asked_language_with_a_stable_code_and_no_internals()
    {
        var anonymous = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var other = await app.OfficerClientAsync("officer2");
        var report = await anonymous.PostJsonAsync("/api/cases", Api.Report(parties: 1), 201);
        var caseId = report.GetProperty("caseId").GetString();
        var partyToken = report.GetProperty("partyToken").GetString()!;
        var party = app.PartyClient(partyToken);

        foreach (var language in new[] { "zh-CN", "en" })
        {
            // No such case (the id in the URL must not come back in the text).
            var missing = Guid.NewGuid();
            Check(await Send(officer, HttpMethod.Get, $"/api/cases/{missing}", language, null, 404), language, "Case.NotFound", missing.ToString());

            // Wrong state: a queued case cannot be closed; the state's name only in caseStatus.
            var state = await Send(officer, HttpMethod.Post, $"/api/cases/{caseId}/close", language, null, 409);
            Check(state, language, "Case.WrongState");
            Assert.Equal("queued", state.GetProperty("caseStatus").GetString());

            // A bad report, field by field.
            var bad = Api.Report();
            bad["phone"] = "12";
            bad["plate"] = "XYZ";
            var invalid = await Send(anonymous, HttpMethod.Post, "/api/cases", language, bad, 400);
            Check(invalid, language, "Report.Invalid");
            Assert.True(invalid.GetProperty("errors").TryGetProperty("phone", out _));
            Assert.True(invalid.GetProperty("errors").TryGetProperty("plate", out _));

            // A refused file (an empty one).
            var empty = await Upload(party, caseId!, language, []);
            Check(empty, language, "Evidence.Empty");

            // A failed sign-in, then the username's throttle.
            Check(await Send(anonymous, HttpMethod.Post, "/api/officers/sign-in", language, new { username = "nobody-" + language, password = "wrong" }, 401), language, "SignIn.Wrong");
            await Send(anonymous, HttpMethod.Post, "/api/officers/sign-in", language, new { username = "nobody-" + language, password = "wrong" }, 401);
            Check(await Send(anonymous, HttpMethod.Post, "/api/officers/sign-in", language, new { username = "nobody-" + language, password = "wrong" }, 429), language, "SignIn.Throttled");
        }

        // Not yours: the case accepted by officer1, another officer acts on it (the officer's id must not show).
        await officer.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        foreach (var language in new[] { "zh-CN", "en" })
        {
            Check(await Send(other, HttpMethod.Post, $"/api/cases/{caseId}/vehicles-moved", language, null, 403), language, "Case.NotYours");
            var inCall = await Send(officer, HttpMethod.Post, $"/api/cases/{caseId}/close", language, null, 409);
            Check(inCall, language, "Case.WrongState");
            Assert.Equal("in_call", inCall.GetProperty("caseStatus").GetString());
            Check(await Send(officer, HttpMethod.Post, $"/api/cases/{caseId}/instructions", language, new { kind = "photo", angle = "sideways" }, 400), language, "Instruction.Invalid");
        }
    }

    /// <summary>Chinese: CJK and no English word; English: no CJK outside the examples; neither with a path, a GUID or a state name.</summary>
    private static void Check(JsonElement problem, string language, string code, string? mustNotContain = null)
    {
        Assert.Equal(code, problem.GetProperty("code").GetString());
        var texts = new List<string> { problem.GetProperty("title").GetString()! };
        if (problem.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
        {
            texts.Add(detail.GetString()!);
        }

        if (problem.TryGetProperty("errors", out var errors))
        {
            texts.AddRange(errors.EnumerateObject().SelectMany(e => e.Value.EnumerateArray().Select(m => m.GetString()!)));
        }

        foreach (var text in texts)
        {
            Assert.DoesNotContain("/api/", text, StringComparison.Ordinal);
            Assert.False(GuidPattern().IsMatch(text), $"A GUID in: {text}");
            Assert.False(StateName().IsMatch(text), $"A state's machine name in: {text}");
            if (mustNotContain is not null)
            {
                Assert.DoesNotContain(mustNotContain, text, StringComparison.OrdinalIgnoreCase);
            }

            if (language == "zh-CN")
            {
                Assert.True(Cjk().IsMatch(text), $"No Chinese in: {text}");
                Assert.False(EnglishWord().IsMatch(FileTypes().Replace(Examples().Replace(text, ""), "")), $"English in Chinese: {text}");
            }
            else
            {
                Assert.Matches(EnglishWord(), text);
                Assert.False(Cjk().IsMatch(Examples().Replace(text, "")), $"Chinese in English: {text}");
            }
        }
    }

    private static async Task<JsonElement> Send(HttpClient client, HttpMethod method, string url, string language, object? body, int expected)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.AcceptLanguage.ParseAdd(language);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await (await client.SendAsync(request)).JsonAsync(expected);
    }

    private static async Task<JsonElement> Upload(HttpClient party, string caseId, string language, byte[] bytes)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new("image/jpeg");
        form.Add(file, "file", "p.jpg");
        form.Add(new StringContent("photo"), "kind");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{caseId}/evidence") { Content = form };
        request.Headers.AcceptLanguage.ParseAdd(language);
        return await (await party.SendAsync(request)).JsonAsync(400);
    }

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Cjk();

    /// <summary>Two or more ASCII letters in a row: a word of English (plates such as 京A12345 have one letter).</summary>
    [GeneratedRegex(@"[A-Za-z]{2,}")]
    private static partial Regex EnglishWord();

    /// <summary>Chinese examples an English text may quote: a plate, an address, 报案号, 交强险.</summary>
    [GeneratedRegex(@"[京沪粤][A-Z0-9]+|长安街与西单北大街路口|报案号|交强险")]
    private static partial Regex Examples();

    /// <summary>File types that Chinese texts name as they are.</summary>
    [GeneratedRegex(@"\b(PDF|JPEG|PNG|WebP|KB|MB)\b")]
    private static partial Regex FileTypes();

    [GeneratedRegex(@"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", RegexOptions.IgnoreCase)]
    private static partial Regex GuidPattern();

    [GeneratedRegex(@"\b(in_call|awaiting_signatures|vehicles_moved|liability_determined)\b")]
    private static partial Regex StateName();
}
