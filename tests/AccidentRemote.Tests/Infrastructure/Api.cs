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
    };

    public static Dictionary<string, object?> Join(string code, string plate = "沪AD12345", string? insurer = "pingan") => new()
    {
        ["joinCode"] = code,
        ["phone"] = "+86 139 1234 5678",
        ["plate"] = plate,
        ["vehicleType"] = "small-car",
        ["insurerCode"] = insurer,
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

    /// <summary>Report, join, accept, move, liability: returns the case id, ready to close.</summary>
    public static async Task<(string CaseId, string[] PartyIds)> CaseReadyToCloseAsync(HttpClient anonymous, HttpClient officer,
        string insurer1 = "picc", string insurer2 = "pingan", string plate1 = "京A12345", string plate2 = "沪AD12345")
    {
        var report = await anonymous.PostJsonAsync("/api/cases", Report(plate1, insurer1), 201);
        var caseId = report.GetProperty("caseId").GetString()!;
        var joinCode = report.GetProperty("joinCode").GetString()!;
        await anonymous.PostJsonAsync("/api/cases/join", Join(joinCode, plate2, insurer2), 201);
        await officer.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        var moved = await officer.PostJsonAsync($"/api/cases/{caseId}/vehicles-moved", null);
        var partyIds = moved.GetProperty("parties").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToArray();
        var liability = new { scenario = "rear-end", facts = "乙车追尾甲车", parties = new[] { new { partyId = partyIds[0], liability = "full" }, new { partyId = partyIds[1], liability = "none" } } };
        await (await officer.PutAsJsonAsync($"/api/cases/{caseId}/liability", liability)).JsonAsync(200);
        return (caseId, partyIds);
    }
}
