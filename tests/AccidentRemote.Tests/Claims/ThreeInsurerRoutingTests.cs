using System.Net.Http.Json;
using System.Text.Json;
using AccidentRemote.Server.Claims;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Claims;

public sealed class ThreeInsurerRoutingTests
{
    [Fact]
    public async Task A_three_vehicle_case_puts_exactly_one_claim_on_each_of_three_insurer_queues()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var vhost = await RabbitVhost.CreateAsync();
        using var app = TestApp.Production(database.ConnectionString, vhost.Name, extra: new() { ["Claims:PollInterval"] = "00:00:00.200" });
        var officer = await app.OfficerClientAsync();
        await app.Services.GetRequiredService<BrokerTopology>().Declared.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var anonymous = app.CreateClient();

        var report = await anonymous.PostJsonAsync("/api/cases", Api.Report("京A12345", "picc", parties: 3), 201);
        var caseId = report.GetProperty("caseId").GetString()!;
        var code = report.GetProperty("joinCode").GetString()!;
        var second = await anonymous.PostJsonAsync("/api/cases/join", Api.Join(code, "沪AD12345", "pingan"), 201);
        var third = await anonymous.PostJsonAsync("/api/cases/join", Api.Join(code, "粤B54321", "cpic"), 201);
        await officer.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        var moved = await officer.PostJsonAsync($"/api/cases/{caseId}/vehicles-moved", null);
        var ids = moved.GetProperty("parties").EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToArray();
        await (await officer.PutAsJsonAsync($"/api/cases/{caseId}/liability", new
        {
            scenario = "other",
            parties = new[] { new { partyId = ids[0], liability = "main" }, new { partyId = ids[1], liability = "minor" }, new { partyId = ids[2], liability = "none" } },
        })).JsonAsync(200);
        await Api.GiveDetailsAndSignAsync(anonymous, officer, caseId,
            [report.GetProperty("partyToken").GetString()!, second.GetProperty("partyToken").GetString()!, third.GetProperty("partyToken").GetString()!]);
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);
        await Eventually.Until(() => officer.GetJsonAsync($"/api/cases/{caseId}/claims"),
            c => c.GetArrayLength() == 3 && c.EnumerateArray().All(x => x.GetProperty("status").GetString() == "sent"), "three claims confirmed");

        await using var connection = await vhost.Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var (insurer, plate) in new[] { ("picc", "京A12345"), ("pingan", "沪AD12345"), ("cpic", "粤B54321") })
        {
            var message = await channel.BasicGetAsync($"claims.{insurer}", autoAck: true);
            Assert.NotNull(message);
            var body = JsonDocument.Parse(message.Body).RootElement;
            Assert.Equal(insurer, body.GetProperty("insurerCode").GetString());
            Assert.Equal(plate, body.GetProperty("insured").GetProperty("plate").GetString());
            Assert.Equal(2, body.GetProperty("otherParties").GetArrayLength());
            Assert.Null(await channel.BasicGetAsync($"claims.{insurer}", autoAck: true));
        }

        Assert.Null(await channel.BasicGetAsync("claims.chinalife", autoAck: true));
    }
}
