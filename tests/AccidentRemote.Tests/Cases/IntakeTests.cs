using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AccidentRemote.Server.Data;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using QRCoder;

namespace AccidentRemote.Tests.Cases;

/// <summary>
/// How people get into a case (issue 10, items 1 and 7): a separate report naming a plate is
/// never merged without the consent of the named party or an officer's decision; join codes
/// cannot be swept; the first party can turn a joiner away. Run on SQLite and PostgreSQL.
/// </summary>
public sealed class IntakeTests : IAsyncDisposable
{
    private readonly List<PostgresDatabase> databases = [];

    private async Task<TestApp> CreateAppAsync(DatabaseProvider provider, Dictionary<string, string?>? extra = null)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            return TestApp.Embedded(extra: extra);
        }

        var database = await PostgresDatabase.CreateAsync();
        databases.Add(database);
        var settings = new Dictionary<string, string?> { ["Database:Provider"] = "Postgres", ["Database:ConnectionString"] = database.ConnectionString, ["Bus:Transport"] = "InMemory" };
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        return TestApp.WithSettings(settings);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in databases)
        {
            await d.DisposeAsync();
        }
    }

    private static Dictionary<string, object?> Report(string plate, string? otherPlate = null, int parties = 2, string policy = "PICC-A-000001")
    {
        var r = Api.Report(plate, "picc", parties);
        r["otherPlate"] = otherPlate;
        r["policyNumber"] = policy;
        return r;
    }

    private static string S(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    [Theory]
    [BothDatabases]
    public async Task A_stranger_naming_a_plate_gets_no_access_to_that_case(DatabaseProvider provider)
    {
        using var app = await CreateAppAsync(provider);
        var client = app.CreateClient();
        var first = await client.PostJsonAsync("/api/cases", Report("京A12345", policy: "PICC-SECRET-77"), 201);
        var stranger = await client.PostJsonAsync("/api/cases", Report("京M99999", "京A12345", policy: "PICC-B-000002"), 201);

        Assert.NotEqual(S(first, "caseId"), S(stranger, "caseId"));
        Assert.True(stranger.GetProperty("possibleDuplicate").GetBoolean());
        Assert.DoesNotContain("PICC-SECRET-77", stranger.GetRawText(), StringComparison.Ordinal);
        var asStranger = app.PartyClient(S(stranger, "partyToken"));
        await asStranger.GetJsonAsync($"/api/cases/{S(first, "caseId")}", 404);
        await asStranger.GetJsonAsync($"/api/cases/{S(first, "caseId")}/join", 404);
        Assert.Equal(HttpStatusCode.NotFound, (await asStranger.GetAsync($"/api/cases/{S(first, "caseId")}/join-qr.svg")).StatusCode);
        var own = await asStranger.GetJsonAsync($"/api/cases/{S(stranger, "caseId")}");
        Assert.Single(own.GetProperty("parties").EnumerateArray());
        Assert.DoesNotContain("PICC-SECRET-77", own.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(S(first, "caseNumber"), own.GetRawText(), StringComparison.Ordinal);
        var mine = await asStranger.GetJsonAsync("/api/cases/mine");
        Assert.Equal(S(stranger, "caseId"), S(mine, "caseId"));
        // The stranger cannot answer the question meant for the first driver.
        var question = Assert.Single((await app.PartyClient(S(first, "partyToken")).GetJsonAsync($"/api/cases/{S(first, "caseId")}/duplicate-questions")).EnumerateArray());
        await asStranger.PostJsonAsync($"/api/cases/{S(first, "caseId")}/duplicates/{S(question, "linkId")}/answer", new { confirm = true }, 404);
        await asStranger.PostJsonAsync($"/api/cases/{S(stranger, "caseId")}/duplicates/{S(question, "linkId")}/answer", new { confirm = true }, 404);
        Assert.Single((await app.PartyClient(S(first, "partyToken")).GetJsonAsync($"/api/cases/{S(first, "caseId")}")).GetProperty("parties").EnumerateArray());
    }

    [Theory]
    [BothDatabases]
    public async Task The_join_code_still_works_for_the_real_second_driver_after_a_match_attempt(DatabaseProvider provider)
    {
        using var app = await CreateAppAsync(provider);
        var client = app.CreateClient();
        var first = await client.PostJsonAsync("/api/cases", Report("京A12345"), 201);
        await client.PostJsonAsync("/api/cases", Report("京M99999", "京A12345"), 201);

        var joined = await client.PostJsonAsync("/api/cases/join", Api.Join(S(first, "joinCode"), "沪AD12345"), 201);
        Assert.Equal(S(first, "caseId"), S(joined, "caseId"));
        Assert.Equal(2, joined.GetProperty("partyNumber").GetInt32());
    }

    [Theory]
    [BothDatabases]
    public async Task Consent_of_the_named_party_merges_and_the_reporters_token_follows_into_the_case(DatabaseProvider provider)
    {
        using var app = await CreateAppAsync(provider);
        var client = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var first = await client.PostJsonAsync("/api/cases", Report("京A12345"), 201);
        var second = await client.PostJsonAsync("/api/cases", Report("京M99999", "京A12345"), 201);
        var asFirst = app.PartyClient(S(first, "partyToken"));
        var question = Assert.Single((await asFirst.GetJsonAsync($"/api/cases/{S(first, "caseId")}/duplicate-questions")).EnumerateArray());
        Assert.Equal("京M99999", S(question, "plate"));

        var merged = await asFirst.PostJsonAsync($"/api/cases/{S(first, "caseId")}/duplicates/{S(question, "linkId")}/answer", new { confirm = true });
        Assert.Equal("merged", S(merged, "outcome"));

        var asSecond = app.PartyClient(S(second, "partyToken"));
        var mine = await asSecond.GetJsonAsync("/api/cases/mine");
        Assert.Equal(S(first, "caseId"), S(mine, "caseId"));
        Assert.Equal(2, mine.GetProperty("partyNumber").GetInt32());
        var shared = await asSecond.GetJsonAsync($"/api/cases/{S(first, "caseId")}");
        Assert.Equal(2, shared.GetProperty("parties").GetArrayLength());
        Assert.Equal("abandoned", S(await officer.GetJsonAsync($"/api/cases/{S(second, "caseId")}"), "status"));
        var queue = Assert.Single((await officer.GetJsonAsync("/api/queue")).EnumerateArray());
        Assert.Equal(2, queue.GetProperty("partiesJoined").GetInt32());
        Assert.Empty((await asFirst.GetJsonAsync($"/api/cases/{S(first, "caseId")}/duplicate-questions")).EnumerateArray());
    }

    [Theory]
    [BothDatabases]
    public async Task Refusal_dismisses_the_link_and_the_reports_stay_apart(DatabaseProvider provider)
    {
        using var app = await CreateAppAsync(provider);
        var client = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var first = await client.PostJsonAsync("/api/cases", Report("京A12345"), 201);
        var second = await client.PostJsonAsync("/api/cases", Report("京M99999", "京A12345"), 201);
        var asFirst = app.PartyClient(S(first, "partyToken"));
        var question = Assert.Single((await asFirst.GetJsonAsync($"/api/cases/{S(first, "caseId")}/duplicate-questions")).EnumerateArray());

        var answer = await asFirst.PostJsonAsync($"/api/cases/{S(first, "caseId")}/duplicates/{S(question, "linkId")}/answer", new { confirm = false });
        Assert.Equal("kept_apart", S(answer, "outcome"));

        await app.PartyClient(S(second, "partyToken")).GetJsonAsync($"/api/cases/{S(first, "caseId")}", 404);
        var queue = (await officer.GetJsonAsync("/api/queue")).EnumerateArray().ToList();
        Assert.Equal(2, queue.Count);
        Assert.All(queue, q => Assert.Equal(JsonValueKind.Null, q.GetProperty("possibleDuplicateOf").ValueKind));
        var link = Assert.Single((await officer.GetJsonAsync($"/api/cases/{S(first, "caseId")}/duplicates")).EnumerateArray());
        Assert.Equal("dismissed", S(link, "status"));
        // Decided once: a second answer changes nothing.
        await asFirst.PostJsonAsync($"/api/cases/{S(first, "caseId")}/duplicates/{S(question, "linkId")}/answer", new { confirm = true }, 409);
    }

    [Theory]
    [BothDatabases]
    public async Task An_officer_sees_both_reports_and_merges_them(DatabaseProvider provider)
    {
        using var app = await CreateAppAsync(provider);
        var client = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var first = await client.PostJsonAsync("/api/cases", Report("京A12345"), 201);
        var second = await client.PostJsonAsync("/api/cases", Report("京M99999", "京A12345"), 201);

        var link = Assert.Single((await officer.GetJsonAsync($"/api/cases/{S(second, "caseId")}/duplicates")).EnumerateArray());
        Assert.True(link.GetProperty("thisCaseIsTheNewReport").GetBoolean());
        Assert.Equal(S(first, "caseNumber"), S(link, "otherCaseNumber"));
        Assert.Equal("京A12345", link.GetProperty("otherPlates")[0].GetString());
        Assert.True(link.GetProperty("mergeable").GetBoolean());

        var merged = await officer.PostJsonAsync($"/api/cases/{S(second, "caseId")}/duplicates/{S(link, "linkId")}/merge", null);
        Assert.Equal(S(first, "caseId"), S(merged, "caseId"));
        var shared = await officer.GetJsonAsync($"/api/cases/{S(first, "caseId")}");
        Assert.Equal(["京A12345", "京M99999"], shared.GetProperty("parties").EnumerateArray().Select(p => S(p, "plate")).ToArray());
        Assert.Equal(S(first, "caseId"), S(await app.PartyClient(S(second, "partyToken")).GetJsonAsync("/api/cases/mine"), "caseId"));
    }

    [Theory]
    [BothDatabases]
    public async Task The_declared_number_of_vehicles_is_respected(DatabaseProvider provider)
    {
        using var app = await CreateAppAsync(provider);
        var client = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var first = await client.PostJsonAsync("/api/cases", Report("京A12345"), 201);

        // One vehicle declared: there was no other car, nothing to link.
        var single = await client.PostJsonAsync("/api/cases", Report("京M99999", "京A12345", parties: 1), 201);
        Assert.False(single.GetProperty("possibleDuplicate").GetBoolean());

        // Three declared against two: linked for the officer, never merged.
        var three = await client.PostJsonAsync("/api/cases", Report("京N88888", "京A12345", parties: 3), 201);
        Assert.True(three.GetProperty("possibleDuplicate").GetBoolean());
        var link = Assert.Single((await officer.GetJsonAsync($"/api/cases/{S(three, "caseId")}/duplicates")).EnumerateArray());
        Assert.False(link.GetProperty("mergeable").GetBoolean());
        var asked = (await app.PartyClient(S(first, "partyToken")).GetJsonAsync($"/api/cases/{S(first, "caseId")}/duplicate-questions"))
            .EnumerateArray().Single(q => S(q, "plate") == "京N88888");
        await app.PartyClient(S(first, "partyToken")).PostJsonAsync($"/api/cases/{S(first, "caseId")}/duplicates/{S(asked, "linkId")}/answer", new { confirm = true }, 409);
        await officer.PostJsonAsync($"/api/cases/{S(three, "caseId")}/duplicates/{S(link, "linkId")}/merge", null, 409);

        // The case fills up with the real second driver: a pending two-vehicle report can no longer join it.
        var two = await client.PostJsonAsync("/api/cases", Report("京P77777", "京A12345"), 201);
        await client.PostJsonAsync("/api/cases/join", Api.Join(S(first, "joinCode"), "沪AD12345"), 201);
        var question = (await app.PartyClient(S(first, "partyToken")).GetJsonAsync($"/api/cases/{S(first, "caseId")}/duplicate-questions"))
            .EnumerateArray().Single(q => S(q, "plate") == "京P77777");
        await app.PartyClient(S(first, "partyToken")).PostJsonAsync($"/api/cases/{S(first, "caseId")}/duplicates/{S(question, "linkId")}/answer", new { confirm = true }, 409);
        Assert.Equal(2, (await officer.GetJsonAsync($"/api/cases/{S(first, "caseId")}")).GetProperty("parties").GetArrayLength());
        await app.PartyClient(S(two, "partyToken")).GetJsonAsync($"/api/cases/{S(first, "caseId")}", 404);
    }

    [Theory]
    [BothDatabases]
    public async Task A_cases_typed_code_is_locked_after_a_few_wrong_tries_and_the_link_secret_still_works(DatabaseProvider provider)
    {
        using var app = await CreateAppAsync(provider, new() { ["Cases:JoinFailuresBeforeLock"] = "3", ["Cases:JoinFailuresPerClient"] = "100" });
        var client = app.CreateClient();
        var first = await client.PostJsonAsync("/api/cases", Report("京A12345"), 201);
        var code = S(first, "joinCode");
        Assert.Matches("^[0-9]{8}$", code);
        Assert.Matches("^[A-Za-z0-9_-]{32}$", S(first, "joinSecret"));
        var wrong = code[..4] + (code[4] == '0' ? "1" : "0") + code[5..];

        await client.PostJsonAsync("/api/cases/join", Api.Join(wrong, "沪AD12345"), 404);
        await client.PostJsonAsync("/api/cases/join", Api.Join(wrong, "沪AD12345"), 404);
        await client.PostJsonAsync("/api/cases/join", Api.Join(wrong, "沪AD12345"), 423);
        // Locked: not even the right code opens it now.
        await client.PostJsonAsync("/api/cases/join", Api.Join(code, "沪AD12345"), 423);

        var viaLink = Api.Join("", "沪AD12345");
        viaLink["joinSecret"] = S(first, "joinSecret");
        var joined = await client.PostJsonAsync("/api/cases/join", viaLink, 201);
        Assert.Equal(S(first, "caseId"), S(joined, "caseId"));
    }

    [Theory]
    [BothDatabases]
    public async Task The_first_party_renews_a_locked_code(DatabaseProvider provider)
    {
        using var app = await CreateAppAsync(provider, new() { ["Cases:JoinFailuresBeforeLock"] = "1", ["Cases:JoinFailuresPerClient"] = "100" });
        var client = app.CreateClient();
        var first = await client.PostJsonAsync("/api/cases", Report("京A12345"), 201);
        var code = S(first, "joinCode");
        await client.PostJsonAsync("/api/cases/join", Api.Join(code[..4] + (code[4] == '0' ? "1" : "0") + code[5..], "沪AD12345"), 423);
        var asFirst = app.PartyClient(S(first, "partyToken"));
        Assert.True((await asFirst.GetJsonAsync($"/api/cases/{S(first, "caseId")}/join")).GetProperty("locked").GetBoolean());

        var renewed = await asFirst.PostJsonAsync($"/api/cases/{S(first, "caseId")}/join/renew", null);
        Assert.False(renewed.GetProperty("locked").GetBoolean());
        Assert.NotEqual(code, S(renewed, "joinCode"));
        await client.PostJsonAsync("/api/cases/join", Api.Join(S(renewed, "joinCode"), "沪AD12345"), 201);
    }

    [Theory]
    [BothDatabases]
    public async Task A_client_that_fails_too_often_waits_and_typed_codes_have_a_global_budget(DatabaseProvider provider)
    {
        using var app = await CreateAppAsync(provider, new() { ["Cases:JoinFailuresPerClient"] = "3" });
        var client = app.CreateClient();
        var first = await client.PostJsonAsync("/api/cases", Report("京A12345"), 201);
        for (var i = 0; i < 3; i++)
        {
            // Secrets that name no case: client failures, no case's counter.
            var guess = Api.Join("", "沪AD12345");
            guess["joinSecret"] = new string('x', 31) + i;
            await client.PostJsonAsync("/api/cases/join", guess, 404);
        }

        var response = await client.PostAsJsonAsync("/api/cases/join", Api.Join(S(first, "joinCode"), "沪AD12345"));
        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        Assert.True(response.Headers.RetryAfter is not null);

        using var global = await CreateAppAsync(provider, new() { ["Cases:JoinFailuresPerClient"] = "100", ["Cases:JoinFailuresGlobal"] = "2" });
        var other = global.CreateClient();
        var report = await other.PostJsonAsync("/api/cases", Report("京A12345"), 201);
        var code = S(report, "joinCode");
        var unused = ((int.Parse(code[..4], System.Globalization.CultureInfo.InvariantCulture) + 1) % 10_000).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
        await other.PostJsonAsync("/api/cases/join", Api.Join(unused + "0000", "沪AD12345"), 404);
        await other.PostJsonAsync("/api/cases/join", Api.Join(unused + "0001", "沪AD12345"), 404);
        await other.PostJsonAsync("/api/cases/join", Api.Join(code, "沪AD12345"), 429);
        // The link's secret is not a typed code: it still works.
        var viaLink = Api.Join("", "沪AD12345");
        viaLink["joinSecret"] = S(report, "joinSecret");
        await other.PostJsonAsync("/api/cases/join", viaLink, 201);
    }

    [Theory]
    [BothDatabases]
    public async Task The_first_party_sees_who_joined_and_turning_them_away_ends_their_token_and_renews_the_code(DatabaseProvider provider)
    {
        using var app = await CreateAppAsync(provider);
        var client = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var first = await client.PostJsonAsync("/api/cases", Report("京A12345", parties: 3), 201);
        var caseId = S(first, "caseId");
        var intruder = await client.PostJsonAsync("/api/cases/join", Api.Join(S(first, "joinCode"), "沪AD12345"), 201);
        var asFirst = app.PartyClient(S(first, "partyToken"));
        var asIntruder = app.PartyClient(S(intruder, "partyToken"));

        var info = await asFirst.GetJsonAsync($"/api/cases/{caseId}/join");
        var seen = info.GetProperty("parties").EnumerateArray().Single(p => S(p, "plate") == "沪AD12345");
        Assert.Equal("139****5678", S(seen, "phone"));
        // Only the first party turns people away.
        await asIntruder.PostJsonAsync($"/api/cases/{caseId}/parties/{S(first, "partyId")}/reject", null, 403);

        var after = await asFirst.PostJsonAsync($"/api/cases/{caseId}/parties/{S(intruder, "partyId")}/reject", null);
        Assert.NotEqual(S(first, "joinCode"), S(after, "joinCode"));
        Assert.NotEqual(S(first, "joinSecret"), S(after, "joinSecret"));
        Assert.Single(after.GetProperty("parties").EnumerateArray());
        Assert.Equal(HttpStatusCode.Unauthorized, (await asIntruder.GetAsync($"/api/cases/{caseId}")).StatusCode);
        Assert.Single((await officer.GetJsonAsync($"/api/cases/{caseId}")).GetProperty("parties").EnumerateArray());
        await client.PostJsonAsync("/api/cases/join", Api.Join(S(first, "joinCode"), "粤B54321"), 404);

        var real = await client.PostJsonAsync("/api/cases/join", Api.Join(S(after, "joinCode"), "粤B54321"), 201);
        Assert.Equal(caseId, S(real, "caseId"));
    }

    [Theory]
    [BothDatabases]
    public async Task A_turned_away_party_loses_its_open_hub_connection_too(DatabaseProvider provider)
    {
        using var app = await CreateAppAsync(provider, new() { ["Auth:HubSessionCheckInterval"] = "00:00:01" });
        var address = app.StartKestrel();
        using var client = app.RealClient();
        var first = await client.PostJsonAsync("/api/cases", Report("京A12345", parties: 3), 201);
        var caseId = S(first, "caseId");
        var intruder = await client.PostJsonAsync("/api/cases/join", Api.Join(S(first, "joinCode"), "沪AD12345"), 201);
        var third = await client.PostJsonAsync("/api/cases/join", Api.Join(S(first, "joinCode"), "粤B54321"), 201);
        await using var intruderHub = await HubClient.ConnectAsync(address, S(intruder, "partyToken"));
        await using var thirdHub = await HubClient.ConnectAsync(address, S(third, "partyToken"));
        var closed = new TaskCompletionSource();
        intruderHub.Connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        using var asFirst = app.RealClient(S(first, "partyToken"));
        await asFirst.PostJsonAsync($"/api/cases/{caseId}/parties/{S(intruder, "partyId")}/reject", null);

        // Its token no longer opens anything, and the connection it already had is closed by the server.
        await Eventually.Until(() => Task.FromResult(closed.Task.IsCompleted), c => c, "the turned-away party's hub connection to close");
        await Assert.ThrowsAnyAsync<Exception>(() => HubClient.ConnectAsync(address, S(intruder, "partyToken")));
        // The parties who stay keep theirs.
        Assert.Equal(HubConnectionState.Connected, thirdHub.Connection.State);
        await thirdHub.Connection.InvokeAsync<long>("Ping");
    }

    [Theory]
    [BothDatabases]
    public async Task The_join_QR_carries_the_public_address_and_the_link_secret(DatabaseProvider provider)
    {
        using var app = await CreateAppAsync(provider, new() { ["Documents:PublicBaseUrl"] = "https://jj.example.cn/" });
        var client = app.CreateClient();
        var first = await client.PostJsonAsync("/api/cases", Report("京A12345"), 201);
        var svg = await app.PartyClient(S(first, "partyToken")).GetStringAsync($"/api/cases/{S(first, "caseId")}/join-qr.svg");

        var link = $"https://jj.example.cn/join/{S(first, "joinCode")}#{S(first, "joinSecret")}";
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(link, QRCodeGenerator.ECCLevel.M);
        Assert.Equal(new SvgQRCode(data).GetGraphic(8), svg);
    }

    public static TheoryData<DatabaseProvider, string> TextFields =>
        BothDatabasesAttribute.Times("address", "name", "facts", "note", "comment", "mediationResult");

    [Theory]
    [MemberData(nameof(TextFields))]
    public async Task Text_that_others_see_refuses_bidi_overrides_and_control_characters(DatabaseProvider provider, string field)
    {
        using var app = await CreateAppAsync(provider);
        var client = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        const string evil = "长安街\u202E55:01";
        HttpResponseMessage response;
        switch (field)
        {
            case "address":
                var r = Report("京A12345");
                r["address"] = evil;
                response = await client.PostAsJsonAsync("/api/cases", r);
                var r2 = Report("京A12345");
                r2["address"] = "长安街\u0007";
                Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/cases", r2)).StatusCode);
                break;
            case "name":
                var (caseId, _, tokens) = await Api.CaseWithLiabilityAsync(client, officer);
                response = await Api.Authorized(client, HttpMethod.Put, $"/api/cases/{caseId}/parties/me", tokens[0], new { name = "张\u2066伟", idNumber = Api.IdNumbers[0] });
                break;
            case "facts":
                var (c2, ids, _) = await Api.CaseWithLiabilityAsync(client, officer);
                response = await officer.PutAsJsonAsync($"/api/cases/{c2}/liability", new
                {
                    scenario = "rear-end", facts = "乙车追尾\u202E甲车",
                    parties = new[] { new { partyId = ids[0], liability = "full" }, new { partyId = ids[1], liability = "none" } },
                });
                break;
            case "note":
                var report = await client.PostJsonAsync("/api/cases", Report("京A12345"), 201);
                response = await officer.PostAsJsonAsync($"/api/cases/{S(report, "caseId")}/escalate", new { reason = "other", note = evil });
                break;
            case "mediationResult":
                var (c3, _, t3) = await Api.CaseWithLiabilityAsync(client, officer);
                for (var i = 0; i < t3.Length; i++)
                {
                    await (await Api.Authorized(client, HttpMethod.Put, $"/api/cases/{c3}/parties/me", t3[i], new { name = i == 0 ? "张伟" : "李娜", idNumber = Api.IdNumbers[i] })).JsonAsync(200);
                }

                response = await officer.PostAsJsonAsync($"/api/cases/{c3}/document", new { weather = "晴", mediationResult = "各自\u202E理赔" });
                break;
            default:
                var ready = await client.PostJsonAsync("/api/cases", Report("京A12345"), 201);
                response = await Api.Authorized(client, HttpMethod.Post, $"/api/cases/{S(ready, "caseId")}/satisfaction", S(ready, "partyToken"), new { rating = 5, comment = evil });
                break;
        }

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
    }
}
