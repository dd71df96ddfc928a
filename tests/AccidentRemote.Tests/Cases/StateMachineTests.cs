using System.Net.Http.Json;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Data;
using AccidentRemote.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Cases;

/// <summary>Every officer action from every state it is not allowed in is refused with 409 naming the state, and changes nothing.</summary>
public sealed class StateMachineTests
{
    private static readonly string[] States =
    [
        CaseStatus.Queued, CaseStatus.InCall, CaseStatus.VehiclesMoved, CaseStatus.LiabilityDetermined,
        CaseStatus.AwaitingSignatures, CaseStatus.Closed, CaseStatus.Escalated, CaseStatus.Abandoned,
    ];

    private static readonly string[] Actions = ["accept", "vehicles-moved", "liability", "issue-document", "close", "escalate", "abandon"];

    public static TheoryData<string> AllStates => new(States);

    [Theory]
    [MemberData(nameof(AllStates))]
    public async Task Actions_not_allowed_from_a_state_are_refused_and_change_nothing(string state)
    {
        using var app = TestApp.Embedded();
        var officer = await app.OfficerClientAsync("sup", "supervisor");
        var anonymous = app.CreateClient();
        var db = app.Services.GetRequiredService<Db>();
        var refusedCount = 0;
        foreach (var action in Actions.Where(a => !CaseStateMachine.For(a).From.Contains(state)))
        {
            var report = await anonymous.PostJsonAsync("/api/cases", Api.Report(parties: 1), 201);
            var caseId = report.GetProperty("caseId").GetString()!;
            var partyId = report.GetProperty("partyId").GetString()!;
            var officerId = await WithDb(db, c => c.ExecuteScalarAsync<string>("SELECT id FROM officers WHERE username = 'sup'"));
            await WithDb(db, c => c.ExecuteAsync("UPDATE cases SET status = @state, officer_id = @officerId WHERE id = @caseId", new { state, officerId, caseId }));
            var events = await WithDb(db, c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM case_events WHERE case_id = @caseId", new { caseId }));

            var response = action switch
            {
                "accept" => await officer.PostAsync($"/api/cases/{caseId}/accept", null),
                "vehicles-moved" => await officer.PostAsync($"/api/cases/{caseId}/vehicles-moved", null),
                "liability" => await officer.PutAsJsonAsync($"/api/cases/{caseId}/liability", new { scenario = "other", parties = new[] { new { partyId, liability = "full" } } }),
                "issue-document" => await officer.PostAsJsonAsync($"/api/cases/{caseId}/document", new { weather = "晴" }),
                "close" => await officer.PostAsync($"/api/cases/{caseId}/close", null),
                "escalate" => await officer.PostAsJsonAsync($"/api/cases/{caseId}/escalate", new { reason = "dispute" }),
                _ => await officer.PostAsJsonAsync($"/api/cases/{caseId}/abandon", new { reason = "no_answer" }),
            };

            var problem = await response.JsonAsync(409);
            Assert.Equal(state, problem.GetProperty("caseStatus").GetString());
            Assert.Equal("Case.WrongState", problem.GetProperty("code").GetString());
            Assert.DoesNotContain(state, problem.GetProperty("title").GetString() + problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(state, await WithDb(db, c => c.ExecuteScalarAsync<string>("SELECT status FROM cases WHERE id = @caseId", new { caseId })));
            Assert.Equal(events, await WithDb(db, c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM case_events WHERE case_id = @caseId", new { caseId })));
            refusedCount++;
        }

        Assert.True(refusedCount >= 3, $"{state}: at least three actions are illegal from every state");
    }

    [Fact]
    public async Task Escalating_and_abandoning_record_why_and_take_the_case_out_of_the_queue()
    {
        using var app = TestApp.Embedded();
        var officer = await app.OfficerClientAsync();
        var anonymous = app.CreateClient();
        var a = await anonymous.PostJsonAsync("/api/cases", Api.Report("京A12345", parties: 1), 201);
        var b = await anonymous.PostJsonAsync("/api/cases", Api.Report("京B12345", parties: 1), 201);
        await officer.PostJsonAsync($"/api/cases/{a.GetProperty("caseId").GetString()}/escalate", new { reason = "poor_visibility", note = "大雾" });
        await officer.PostJsonAsync($"/api/cases/{b.GetProperty("caseId").GetString()}/abandon", new { reason = "driver_left" });
        await officer.PostJsonAsync($"/api/cases/{b.GetProperty("caseId").GetString()}/abandon", new { reason = "gone fishing" }, 400);
        var escalated = await officer.GetJsonAsync($"/api/cases/{a.GetProperty("caseId").GetString()}");
        Assert.Equal("escalated", escalated.GetProperty("status").GetString());
        Assert.Equal("poor_visibility", escalated.GetProperty("escalationReason").GetString());
        Assert.Empty((await officer.GetJsonAsync("/api/queue")).EnumerateArray());
    }

    [Fact]
    public async Task Liability_must_be_consistent_and_a_scenario_suggests_the_split()
    {
        using var app = TestApp.Embedded();
        var officer = await app.OfficerClientAsync();
        officer.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en"); // the messages below are asserted in English
        var anonymous = app.CreateClient();
        var report = await anonymous.PostJsonAsync("/api/cases", Api.Report(), 201);
        var caseId = report.GetProperty("caseId").GetString();
        await anonymous.PostJsonAsync("/api/cases/join", Api.Join(report.GetProperty("joinCode").GetString()!), 201);
        await officer.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        var moved = await officer.PostJsonAsync($"/api/cases/{caseId}/vehicles-moved", null);
        var p = moved.GetProperty("parties").EnumerateArray().Select(x => x.GetProperty("id").GetString()).ToArray();

        foreach (var (first, second, message) in new[]
        {
            ("full", "minor", "full liability means every other party has none"),
            ("main", "main", "Main liability goes to exactly one party"),
            ("equal", "none", "Equal liability needs at least two"),
            ("none", "none", "choose undetermined"),
            ("undetermined", "full", "undetermined for every party"),
        })
        {
            var problem = await (await officer.PutAsJsonAsync($"/api/cases/{caseId}/liability",
                new { scenario = "other", parties = new[] { new { partyId = p[0], liability = first }, new { partyId = p[1], liability = second } } })).JsonAsync(400);
            Assert.Contains(message, problem.GetProperty("errors").GetProperty("parties")[0].GetString(), StringComparison.OrdinalIgnoreCase);
        }

        var suggested = await (await officer.PutAsJsonAsync($"/api/cases/{caseId}/liability", new { scenario = "rear-end", atFaultPartyId = p[1], facts = "乙车追尾" })).JsonAsync(200);
        Assert.Equal("none", suggested.GetProperty("parties")[0].GetProperty("liability").GetString());
        Assert.Equal("full", suggested.GetProperty("parties")[1].GetProperty("liability").GetString());
        Assert.Equal("rear-end", suggested.GetProperty("liabilityScenario").GetString());
        Assert.Equal("liability_determined", suggested.GetProperty("status").GetString());

        var scenarios = await officer.GetJsonAsync("/api/liability/scenarios");
        Assert.Equal(9, scenarios.GetArrayLength());
    }

    private static async Task<T> WithDb<T>(Db db, Func<System.Data.Common.DbConnection, Task<T>> work)
    {
        await using var c = await db.OpenAsync();
        return await work(c);
    }
}
