using System.Text.Json;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace AccidentRemote.Tests.ScaleOut;

/// <summary>
/// Two server nodes on two ports sharing PostgreSQL and a Redis backplane: a driver connected
/// to node 1 and the officer on node 2 find each other and exchange signals.
/// </summary>
public sealed class TwoNodeTests
{
    [Fact]
    public async Task A_driver_on_node_1_and_the_officer_on_node_2_see_each_other_and_exchange_signals()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var prefix = Guid.NewGuid().ToString("N")[..8];
        Dictionary<string, string?> Settings() => new()
        {
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = database.ConnectionString,
            ["Bus:Transport"] = "InMemory",
            ["Signalling:Redis"] = TestServices.Redis,
        };
        using var node1 = TestApp.WithSettings(Settings());
        using var node2 = TestApp.WithSettings(Settings());
        var address1 = node1.StartKestrel();
        var address2 = node2.StartKestrel();

        var report = await node1.RealClient().PostJsonAsync("/api/cases", Api.Report($"京A{prefix[..5].ToUpperInvariant()}", parties: 1), 201);
        var caseId = report.GetProperty("caseId").GetString()!;
        var partyId = report.GetProperty("partyId").GetString()!;
        await using var phone = await HubClient.ConnectAsync(address1, report.GetProperty("partyToken").GetString());

        var officer = await node2.OfficerClientAsync($"o{prefix}");
        var officerToken = officer.DefaultRequestHeaders.Authorization!.Parameter!;
        await using var console = await HubClient.ConnectAsync(address2, officerToken);
        await node2.RealClient(officerToken).PostJsonAsync($"/api/cases/{caseId}/accept", null);

        // Node 2 knows the party is online on node 1 (shared presence) …
        var roster = await console.Connection.InvokeAsync<JsonElement>("WatchCase", Guid.Parse(caseId));
        Assert.True(roster.GetProperty("parties")[0].GetProperty("online").GetBoolean());
        // … node 1's driver hears that the case was answered on node 2 …
        await phone.WaitForAsync("CaseChanged", c => c.GetProperty("status").GetString() == "in_call");

        // … and signals cross the backplane both ways.
        await console.Connection.InvokeAsync("Signal", new { caseId, toPartyId = partyId, type = "offer", description = new { type = "offer", sdp = "v=0\r\n" }, candidate = (object?)null });
        await phone.WaitForAsync("Signal", s => s.GetProperty("type").GetString() == "offer");
        await phone.Connection.InvokeAsync("Signal", new { caseId, toPartyId = (string?)null, type = "answer", description = new { type = "answer", sdp = "v=0\r\n" }, candidate = (object?)null });
        var answer = await console.WaitForAsync("Signal", s => s.GetProperty("type").GetString() == "answer");
        Assert.Equal(partyId, answer.GetProperty("fromPartyId").GetString());

        // The driver leaving node 1 reaches the officer on node 2.
        await phone.Connection.StopAsync();
        await console.WaitForAsync("PeerChanged", p => !p.GetProperty("online").GetBoolean());
    }
}
