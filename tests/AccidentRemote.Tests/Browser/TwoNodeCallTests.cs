using AccidentRemote.Tests.Infrastructure;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>Scale-out in Chromium: the driver's phone on node 1, the officer's console on node 2, one call.</summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class TwoNodeCallTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task A_driver_on_node_1_and_the_officer_on_node_2_complete_a_call()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var redisPrefix = $"test-{Guid.NewGuid():N}";
        Dictionary<string, string?> Settings() => new()
        {
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = database.ConnectionString,
            ["Bus:Transport"] = "InMemory",
            ["Signalling:Redis"] = TestServices.Redis,
            ["Signalling:RedisPrefix"] = redisPrefix, // the Redis is shared with other tests running at the same time
        };
        await using var node1 = Node(chromium, Settings());
        await using var node2 = Node(chromium, Settings());
        Assert.NotEqual(node1.BaseUrl.Port, node2.BaseUrl.Port);

        var console = await node2.ConsoleAsync();
        var driver = await node1.PhoneAsync();
        var session = await ReportAsync(driver, "京A24680");

        // The report on node 1 reaches the queue pushed by node 2; the accept on node 2 reaches the phone on node 1.
        await QueueItem(console, session.CaseId).WaitForAsync();
        await AcceptAsync(console, session.CaseId);
        await WaitForBodyAsync(driver, "callState", "connected");
        await WaitForTileAsync(console, 1, "connected");
        await FramesGrowAsync(() => TileFramesAsync(console, 1), 0, "node 2's console receiving the driver's video");
        await FramesGrowAsync(() => DriverFramesAsync(driver), 0, "node 1's driver page receiving the officer's video");
    }
}
