using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AccidentRemote.Server.Cases;
using AccidentRemote.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Cases;

/// <summary>Every rule answers with a ProblemDetails naming the field, and nothing is stored.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TestApp app = TestApp.Embedded();

    public void Dispose() => app.Dispose();

    /// <summary>The texts below are asserted in English (the server answers in the request's language, zh-CN by default).</summary>
    private HttpClient English(HttpClient? client = null)
    {
        client ??= app.CreateClient();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        return client;
    }

    public static TheoryData<string, object?, string> BadFields => new()
    {
        { "phone", "1381234567", "phone" },
        { "phone", "23812345678", "phone" },
        { "phone", null, "phone" },
        { "plate", "京A1234", "plate" },
        { "plate", "京AI2345", "plate" },
        { "plate", "XA12345", "plate" },
        { "plate", "京AD1234567", "plate" },
        { "plate", "<script>alert(1)</script>", "plate" },
        { "vehicleType", "spaceship", "vehicleType" },
        { "insurerCode", "acme", "insurerCode" },
        { "policyNumber", "no", "policyNumber" },
        { "latitude", 91.0, "latitude" },
        { "longitude", -181.0, "longitude" },
        { "accidentTime", null, "accidentTime" },
        { "numberOfParties", 0, "numberOfParties" },
        { "numberOfParties", 6, "numberOfParties" },
        { "triage", null, "triage.anyoneInjured" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task A_report_with_a_bad_field_is_refused_with_a_message_for_that_field(string field, object? value, string errorKey)
    {
        var body = Api.Report();
        body[field] = value;
        var problem = await English().PostJsonAsync("/api/cases", body, 400);
        var messages = problem.GetProperty("errors").GetProperty(errorKey).EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.NotEmpty(messages);
        Assert.All(messages, m => Assert.True(m.Length > 20, $"'{m}' should say what to do"));
        await AssertNothingStoredAsync();
    }

    [Theory]
    [InlineData("京A12345")]
    [InlineData("粤B1234学")]
    [InlineData("京AD12345")]
    [InlineData("沪AFA1234")]
    [InlineData("京A12345D")]
    [InlineData("京 A·12345")]
    [InlineData("京a12345")]
    public void Chinese_plates_including_new_energy_formats_are_accepted(string plate) =>
        Assert.True(CaseRules.IsValidPlate(CaseRules.NormalizePlate(plate)), plate);

    [Fact]
    public async Task Accident_times_in_the_future_or_over_a_day_old_are_refused()
    {
        var client = English();
        foreach (var time in new[] { DateTimeOffset.UtcNow.AddHours(1), DateTimeOffset.UtcNow.AddDays(-2) })
        {
            var body = Api.Report();
            body["accidentTime"] = time;
            var problem = await client.PostJsonAsync("/api/cases", body, 400);
            Assert.True(problem.GetProperty("errors").TryGetProperty("accidentTime", out _));
        }

        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_report_without_coordinates_or_address_asks_for_the_place()
    {
        var body = Api.Report();
        body.Remove("latitude");
        body.Remove("longitude");
        body["address"] = null;
        var problem = await English().PostJsonAsync("/api/cases", body, 400);
        Assert.Contains("allow the phone's location", problem.GetProperty("errors").GetProperty("address")[0].GetString(), StringComparison.Ordinal);

        body["address"] = "西单路口";
        await English().PostJsonAsync("/api/cases", body, 201);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("{\"latitude\": \"north\"}", "$.latitude")]
    public async Task An_unreadable_body_gets_a_problem_that_says_where(string json, string expected)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await English().PostAsync("/api/cases", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Joining_with_an_unknown_code_a_full_case_or_the_same_plate_is_refused_clearly()
    {
        var client = English();
        var problem = await client.PostJsonAsync("/api/cases/join", Api.Join("00000000"), 404);
        Assert.Contains("8 digits", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await client.PostJsonAsync("/api/cases/join", Api.Join("12ab"), 400);

        var report = await client.PostJsonAsync("/api/cases", Api.Report(), 201);
        var code = report.GetProperty("joinCode").GetString()!;
        await client.PostJsonAsync("/api/cases/join", Api.Join(code, "京A12345"), 409);
        await client.PostJsonAsync("/api/cases/join", Api.Join(code), 201);
        // Everyone is in: the code no longer opens the case.
        await client.PostJsonAsync("/api/cases/join", Api.Join(code, "粤B54321"), 404);
    }

    [Fact]
    public async Task Requests_that_do_not_fit_the_state_get_409_naming_the_state_and_change_nothing()
    {
        var client = English();
        var officer = English(await app.OfficerClientAsync());
        var report = await client.PostJsonAsync("/api/cases", Api.Report(parties: 1), 201);
        var caseId = report.GetProperty("caseId").GetString();

        var problem = await officer.PostJsonAsync($"/api/cases/{caseId}/close", null, 409);
        Assert.Equal("queued", problem.GetProperty("caseStatus").GetString());
        Assert.Equal("Case.WrongState", problem.GetProperty("code").GetString());
        Assert.Equal("The case is waiting in the queue; this is not possible now.", problem.GetProperty("title").GetString());
        await officer.PostJsonAsync($"/api/cases/{caseId}/vehicles-moved", null, 409);

        await officer.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        problem = await officer.PostJsonAsync($"/api/cases/{caseId}/accept", null, 409);
        Assert.Equal("in_call", problem.GetProperty("caseStatus").GetString());
        problem = await officer.PostJsonAsync($"/api/cases/{caseId}/close", null, 409);
        Assert.Equal("The case can be closed once every party has signed.", problem.GetProperty("detail").GetString());

        var other = English(await app.OfficerClientAsync("officer2"));
        await other.PostJsonAsync($"/api/cases/{caseId}/vehicles-moved", null, 403);

        await officer.PostJsonAsync($"/api/cases/{caseId}/vehicles-moved", null);
        problem = await officer.PostJsonAsync($"/api/cases/{caseId}/close", null, 409);
        Assert.Equal("vehicles_moved", problem.GetProperty("caseStatus").GetString());

        var bad = await (await officer.PutAsJsonAsync($"/api/cases/{caseId}/liability", new { scenario = "rear-end", parties = new[] { new { partyId = Guid.NewGuid(), liability = "most" } } })).JsonAsync(400);
        Assert.True(bad.GetProperty("errors").TryGetProperty("parties[0].liability", out _));
        bad = await (await officer.PutAsJsonAsync($"/api/cases/{caseId}/liability", new { scenario = "sideswipe", parties = new[] { new { partyId = Guid.NewGuid(), liability = "full" } } })).JsonAsync(400);
        Assert.True(bad.GetProperty("errors").TryGetProperty("scenario", out _));
        bad = await (await officer.PutAsJsonAsync($"/api/cases/{caseId}/liability", new { scenario = "rear-end", parties = new[] { new { partyId = Guid.NewGuid(), liability = "full" } } })).JsonAsync(400);
        Assert.Contains("is not a party of case", bad.GetProperty("errors").GetProperty("parties")[0].GetString(), StringComparison.Ordinal);

        var view = await officer.GetJsonAsync($"/api/cases/{caseId}");
        Assert.Equal("vehicles_moved", view.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("parties")[0].GetProperty("liability").ValueKind);
        Assert.Equal(JsonValueKind.Null, view.GetProperty("times").GetProperty("closedAt").ValueKind);
        Assert.Empty((await officer.GetJsonAsync($"/api/cases/{caseId}/claims")).EnumerateArray());
    }

    [Fact]
    public async Task Wrong_passwords_and_unknown_officers_get_the_same_401()
    {
        await app.OfficerClientAsync("li.wei");
        var client = English();
        var a = await client.PostJsonAsync("/api/officers/sign-in", new { username = "li.wei", password = "wrong" }, 401);
        var b = await client.PostJsonAsync("/api/officers/sign-in", new { username = "nobody", password = "wrong" }, 401);
        Assert.Equal(a.GetProperty("title").GetString(), b.GetProperty("title").GetString());
        await client.PostJsonAsync("/api/officers/sign-in", new { username = "", password = "" }, 400);
    }

    private async Task AssertNothingStoredAsync()
    {
        var db = app.Services.GetRequiredService<AccidentRemote.Server.Data.Db>();
        await using var c = await db.OpenAsync();
        Assert.Equal(0, await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM cases"));
        Assert.Equal(0, await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM parties"));
    }
}
