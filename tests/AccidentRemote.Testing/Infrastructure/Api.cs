using System.Net.Http.Json;
using System.Text.Json;

namespace AccidentRemote.Tests.Infrastructure;

/// <summary>Builds valid requests that a test then breaks one field at a time.</summary>
public static class Api
{
    public static Dictionary<string, object?> Report(string plate = "京A12345", string? insurer = "picc", int parties = 2,
        bool injured = false, bool drivable = true) => new()
    {
        ["phone"] = "13812345678",
        ["plate"] = plate,
        ["vehicleType"] = "small-car",
        ["insurerCode"] = insurer,
        ["policyNumber"] = "PDAA202611000001",
        ["latitude"] = 39.9087,
        ["longitude"] = 116.3975,
        ["address"] = "长安街与西单北大街路口",
        ["accidentTime"] = DateTimeOffset.UtcNow.AddMinutes(-3),
        ["numberOfParties"] = parties,
        ["triage"] = new Dictionary<string, object?> { ["anyoneInjured"] = injured, ["vehiclesDrivable"] = drivable, ["hazardousGoods"] = false },
        ["consent"] = Consent(),
    };

    /// <summary>The driver's agreement to the current privacy notice, which every report and join carries.</summary>
    public static Dictionary<string, object?> Consent(string language = "zh-CN") => new()
    {
        ["noticeVersion"] = AccidentRemote.Server.Privacy.PrivacyNotice.Version,
        ["language"] = language,
        ["agreed"] = true,
    };

    public static Dictionary<string, object?> Join(string code, string plate = "沪AD12345", string? insurer = "pingan") => new()
    {
        ["joinCode"] = code,
        ["phone"] = "+86 139 1234 5678",
        ["plate"] = plate,
        ["vehicleType"] = "small-car",
        ["insurerCode"] = insurer,
        ["consent"] = Consent(),
    };

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, int expectedStatus)
    {
        var text = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != expectedStatus)
        {
            throw new InvalidOperationException($"Expected HTTP {expectedStatus}, got {(int)response.StatusCode}: {text}");
        }

        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> PostJsonAsync(this HttpClient client, string url, object? body, int expectedStatus = 200) =>
        await (await client.PostAsJsonAsync(url, body)).JsonAsync(expectedStatus);

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url, int expectedStatus = 200) =>
        await (await client.GetAsync(url)).JsonAsync(expectedStatus);

    /// <summary>Valid 18-character ID numbers (check digit correct).</summary>
    public static readonly string[] IdNumbers = ["11010519491231002X", "110101199003074477", "440301198805153014"];

    /// <summary>Report, join, accept, move, liability, details, document, both signatures: returns the case id, ready to close.</summary>
    public static async Task<(string CaseId, string[] PartyIds)> CaseReadyToCloseAsync(HttpClient anonymous, HttpClient officer,
        string insurer1 = "picc", string insurer2 = "pingan", string plate1 = "京A12345", string plate2 = "沪AD12345")
    {
        var (caseId, partyIds, tokens) = await CaseWithLiabilityAsync(anonymous, officer, insurer1, insurer2, plate1, plate2);
        await GiveDetailsAndSignAsync(anonymous, officer, caseId, tokens);
        return (caseId, partyIds);
    }

    /// <summary>Each party gives name and ID number, the officer issues the document, each party signs.</summary>
    public static async Task GiveDetailsAndSignAsync(HttpClient anonymous, HttpClient officer, string caseId, string[] tokens)
    {
        string[] names = ["张伟", "李娜", "王芳"];
        for (var i = 0; i < tokens.Length; i++)
        {
            await (await Authorized(anonymous, HttpMethod.Put, $"/api/cases/{caseId}/parties/me", tokens[i], new { name = names[i], idNumber = IdNumbers[i] })).JsonAsync(200);
        }

        await officer.PostJsonAsync($"/api/cases/{caseId}/document", new { weather = "晴", mediationResult = "当事人自行协商，各自向保险公司理赔。" });
        foreach (var token in tokens)
        {
            await (await Authorized(anonymous, HttpMethod.Post, $"/api/cases/{caseId}/signature", token, new { png = Convert.ToBase64String(Evidence.TestFiles.Png(120, 40)) })).JsonAsync(200);
        }
    }

    public static Task<HttpResponseMessage> Authorized(HttpClient client, HttpMethod method, string url, string token, object? body)
    {
        var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }

    /// <summary>Report, join, accept, move, liability: returns the case, its party ids and the parties' tokens.</summary>
    public static async Task<(string CaseId, string[] PartyIds, string[] Tokens)> CaseWithLiabilityAsync(HttpClient anonymous, HttpClient officer,
        string insurer1 = "picc", string insurer2 = "pingan", string plate1 = "京A12345", string plate2 = "沪AD12345")
    {
        var report = await anonymous.PostJsonAsync("/api/cases", Report(plate1, insurer1), 201);
        var caseId = report.GetProperty("caseId").GetString()!;
        var joinCode = report.GetProperty("joinCode").GetString()!;
        var joined = await anonymous.PostJsonAsync("/api/cases/join", Join(joinCode, plate2, insurer2), 201);
        string[] tokens = [report.GetProperty("partyToken").GetString()!, joined.GetProperty("partyToken").GetString()!];
        await officer.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        var moved = await officer.PostJsonAsync($"/api/cases/{caseId}/vehicles-moved", null);
        var partyIds = moved.GetProperty("parties").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToArray();
        var liability = new { scenario = "rear-end", facts = "乙车追尾甲车", parties = new[] { new { partyId = partyIds[0], liability = "full" }, new { partyId = partyIds[1], liability = "none" } } };
        await (await officer.PutAsJsonAsync($"/api/cases/{caseId}/liability", liability)).JsonAsync(200);
        return (caseId, partyIds, tokens);
    }
}
