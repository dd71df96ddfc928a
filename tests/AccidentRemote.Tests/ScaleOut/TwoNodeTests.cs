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
            ["Signalling:RedisPrefix"] = $"test-{prefix}", // the Redis is shared with other tests running at the same time
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

    [Fact]
    public async Task Two_deployments_sharing_one_Redis_with_their_own_prefixes_do_not_push_each_others_queues()
    {
        await using var databaseA = await PostgresDatabase.CreateAsync();
        await using var databaseB = await PostgresDatabase.CreateAsync();
        Dictionary<string, string?> Settings(PostgresDatabase database, string prefix) => new()
        {
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = database.ConnectionString,
            ["Bus:Transport"] = "InMemory",
            ["Signalling:Redis"] = TestServices.Redis,
            ["Signalling:RedisPrefix"] = prefix,
        };
        var id = Guid.NewGuid().ToString("N")[..8];
        using var staging = TestApp.WithSettings(Settings(databaseA, $"staging-{id}"));
        using var production = TestApp.WithSettings(Settings(databaseB, $"production-{id}"));
        var stagingAddress = staging.StartKestrel();
        var productionAddress = production.StartKestrel();
        var officer = await production.OfficerClientAsync($"p{id}");
        await using var console = await HubClient.ConnectAsync(productionAddress, officer.DefaultRequestHeaders.Authorization!.Parameter);
        await using var stagingConsole = await HubClient.ConnectAsync(stagingAddress, (await staging.OfficerClientAsync($"s{id}")).DefaultRequestHeaders.Authorization!.Parameter);

        // A report in staging reaches staging's officers; then one in production reaches production's.
        var inStaging = (await staging.RealClient().PostJsonAsync("/api/cases", Api.Report("京A13579", parties: 1), 201)).GetProperty("caseId").GetString();
        await stagingConsole.WaitForAsync("QueueChanged", q => q.EnumerateArray().Any(i => i.GetProperty("caseId").GetString() == inStaging));
        var inProduction = (await production.RealClient().PostJsonAsync("/api/cases", Api.Report("京B24680", parties: 1), 201)).GetProperty("caseId").GetString();
        await console.WaitForAsync("QueueChanged", q => q.EnumerateArray().Any(i => i.GetProperty("caseId").GetString() == inProduction));

        // Production's console never got staging's queue, nor staging's production's.
        Assert.All(console.All("QueueChanged"), q => Assert.DoesNotContain(q.EnumerateArray(), i => i.GetProperty("caseId").GetString() == inStaging));
        Assert.All(stagingConsole.All("QueueChanged"), q => Assert.DoesNotContain(q.EnumerateArray(), i => i.GetProperty("caseId").GetString() == inProduction));
    }
}
