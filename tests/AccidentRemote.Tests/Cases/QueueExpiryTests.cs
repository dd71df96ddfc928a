using AccidentRemote.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AccidentRemote.Tests.Cases;

/// <summary>A report nobody answers is not kept in the queue (and open for uploads) for ever: it expires, as the state machine's abandon by <c>system</c>.</summary>
public sealed class QueueExpiryTests : PostgresAndBrokerTest
{
    [Fact]
    public async Task An_unanswered_queued_case_expires_after_the_setting_and_the_driver_and_the_board_are_told()
    {
        // Noon in Beijing, so the half hour below stays within the board's day.
        var clock = new FixedClock(new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date.AddHours(4), TimeSpan.Zero));
        using var app = TestApp.Production(Database.ConnectionString, Vhost.Name, extra: new()
        {
            ["Cases:UnansweredExpiry"] = "00:20:00",
            ["Cases:ExpiryCheckInterval"] = "00:00:00.200",
        }, services: s => s.AddSingleton<TimeProvider>(clock));
        var anonymous = app.CreateClient();
        var supervisor = await app.OfficerClientAsync("sup1", "supervisor");

        Dictionary<string, object?> Report(string plate)
        {
            var r = Api.Report(plate, parties: 1);
            r["accidentTime"] = clock.Now.AddMinutes(-3);
            return r;
        }

        var waiting = await anonymous.PostJsonAsync("/api/cases", Report("京A12345"), 201);
        var caseId = waiting.GetProperty("caseId").GetString()!;
        var token = waiting.GetProperty("partyToken").GetString()!;
        clock.Now = clock.Now.AddMinutes(15);
        var answered = await anonymous.PostJsonAsync("/api/cases", Report("沪AD12345"), 201);
        var answeredId = answered.GetProperty("caseId").GetString()!;
        await supervisor.PostJsonAsync($"/api/cases/{answeredId}/accept", null);
        var young = (await anonymous.PostJsonAsync("/api/cases", Report("粤B12345"), 201)).GetProperty("caseId").GetString()!;

        // 21 minutes after the first report: it alone is due. The accepted one and the young one stay.
        clock.Now = clock.Now.AddMinutes(6);
        using var party = app.CreateClient();
        party.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var expired = await Eventually.Until(() => party.GetJsonAsync($"/api/cases/{caseId}"),
            c => c.GetProperty("status").GetString() == "abandoned", "the unanswered case to expire");
        Assert.Equal("expired", expired.GetProperty("abandonReason").GetString());
        Assert.Null(expired.GetProperty("joinCode").GetString());
        Assert.Equal("in_call", (await supervisor.GetJsonAsync($"/api/cases/{answeredId}")).GetProperty("status").GetString());
        Assert.Equal("queued", (await supervisor.GetJsonAsync($"/api/cases/{young}")).GetProperty("status").GetString());
        Assert.DoesNotContain(caseId, (await supervisor.GetJsonAsync("/api/queue")).EnumerateArray().Select(q => q.GetProperty("caseId").GetString()));

        await using (var db = new NpgsqlConnection(Database.ConnectionString))
        {
            var events = (await db.QueryAsync<(string Kind, string Actor, string? Detail)>(
                "SELECT kind, actor, detail FROM case_events WHERE case_id = @id ORDER BY at", new { id = caseId })).ToList();
            Assert.Equal(("abandoned", "system", "expired"), events[^1]);
            Assert.Equal(1, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE case_id = @id AND kind = 'abandoned' AND actor = 'system'", new { id = caseId }));
        }

        var board = await supervisor.GetJsonAsync("/api/kpis");
        Assert.Equal(1, board.GetProperty("expired").GetInt32());
        Assert.Equal(1, board.GetProperty("abandoned").GetInt32());

        // Expired means closed to evidence as well.
        using var photo = new MultipartFormDataContent { { new ByteArrayContent(Evidence.TestFiles.Png(3, 2)), "file", "p.png" }, { new StringContent("photo"), "kind" } };
        Assert.Equal(System.Net.HttpStatusCode.Conflict, (await party.PostAsync($"/api/cases/{caseId}/evidence", photo)).StatusCode);
    }
}
