using System.Diagnostics;
using AccidentRemote.Tests.Infrastructure;
using AccidentRemote.Tests.InsurerAdapter;
using Dapper;
using Npgsql;

namespace AccidentRemote.Tests.Faults;

/// <summary>
/// The server node dies with SIGKILL in the middle of dispatching its outbox, at the worst moment
/// (claims confirmed by the broker, not yet marked sent), and is started again through
/// infra/node/start-node.sh: the outbox resumes where the database says it stopped and publishes
/// those claims again under the same message id; the insurer adapter recognises the second copy.
/// Nothing is lost, nothing reaches the insurer twice.
/// </summary>
[Collection(ProcessKills.Name)]
[Trait(TestCategory.Name, TestCategory.Fault)]
public sealed class ServerKillTests
{
    private const int ClaimCount = 500;

    [Fact]
    public async Task The_server_killed_with_SIGKILL_mid_dispatch_resumes_after_restart_and_no_claim_is_lost_or_doubled()
    {
        var watch = Stopwatch.StartNew();
        var output = TestContext.Current.TestOutputHelper;
        await using var kit = await AdapterTestKit.CreateAsync();
        await using var database = await PostgresDatabase.CreateAsync();
        var pooled = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = true, MaxPoolSize = 20 }.ConnectionString;
        await using var sink = await InsurerHttpSink.StartAsync();
        // The node reaches PostgreSQL through a proxy the test can cut: see KillMidDispatchAsync.
        await using var proxy = new TcpProxy(new NpgsqlConnectionStringBuilder(pooled).Port);
        var throughProxy = new NpgsqlConnectionStringBuilder(pooled) { Port = proxy.Port }.ConnectionString;

        // The node reaches RabbitMQ through a second proxy: while it is cut, closes fill the outbox.
        await using var brokerProxy = new TcpProxy(TestServices.RabbitPort);

        // The schema and one case ready to close, made by the real server in process; copied 500 times.
        Guid template;
        string officerToken;
        using (var maker = TestApp.WithSettings(new() { ["Database:Provider"] = "Postgres", ["Database:ConnectionString"] = pooled, ["Bus:Transport"] = "InMemory", ["Insurers:Catalogue:0:Code"] = kit.Code }))
        {
            var officer = await maker.OfficerClientAsync();
            officerToken = officer.DefaultRequestHeaders.Authorization!.Parameter!;
            template = await ReadyCases.TemplateAsync(maker.CreateClient(), officer, kit.Code);
        }

        var caseIds = await ReadyCases.CloneAsync(pooled, template, ClaimCount);

        await using var node = await NodeProcess.StartAsync("node1", new()
        {
            ["Database__ConnectionString"] = throughProxy,
            ["Bus__RabbitMq__Host"] = TestServices.RabbitHost,
            ["Bus__RabbitMq__Port"] = brokerProxy.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Bus__RabbitMq__VirtualHost"] = kit.Broker.Vhost.Name,
            ["Bus__RabbitMq__Username"] = kit.Broker.ServerUser,
            ["Bus__RabbitMq__Password"] = ProvisionedBroker.PasswordFor(kit.Broker.ServerUser),
            ["Signalling__Redis"] = TestServices.Redis,
            ["Signalling__RedisPrefix"] = $"test-{Guid.NewGuid():N}",
            ["Insurers__Catalogue__0__Code"] = kit.Code,
            ["Claims__PollInterval"] = "00:00:00.200",
            ["Claims__PublishTimeout"] = "00:00:02",
            ["Claims__MaxRetryDelay"] = "00:00:01",
            ["Claims__PublishConcurrency"] = "4",
            ["Claims__BatchSize"] = "100",
            ["Logging__LogLevel__AccidentRemote.Server.Claims"] = "Warning",
        });

        // Officers close the 500 cases on the node while it cannot reach the broker: closing needs
        // only the database, so every close succeeds and its claim waits in the outbox.
        brokerProxy.Cut();
        using (var officerAtNode = new HttpClient { BaseAddress = node.Address })
        {
            officerAtNode.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", officerToken);
            await Parallel.ForEachAsync(caseIds, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, _) =>
                await officerAtNode.PostJsonAsync($"/api/cases/{id}/close", null));
        }

        var waiting = await ClaimDelivery.CountAsync(pooled);
        Assert.Equal((long)ClaimCount, waiting.Total);
        Assert.Equal(0L, waiting.Sent);
        output?.WriteLine($"{ClaimCount} cases closed at the node, {waiting.Total - waiting.Sent} claims waiting, at {watch.Elapsed.TotalSeconds:F1} s");
        brokerProxy.Restore();
        output?.WriteLine($"node up (pid {node.Pid}) at {watch.Elapsed.TotalSeconds:F1} s");
        var state = RabbitNode.MemoryFolder("ar-fault-state-");
        try
        {
            var settings = kit.Settings(http: sink.Endpoint);
            settings["Adapter:StateFile"] = Path.Combine(state.FullName, "state.db");
            for (var round = 1; !await KillMidDispatchAsync(kit, node, proxy, sink, pooled, round, watch); round++)
            {
                Assert.True(round < 3, "in 3 kills no claim was caught between the broker's confirm and the outbox's update");
            }

            var adapter = await kit.StartAdapterAsync(settings);
            await ClaimDelivery.AssertEachClaimHandedOverOnceAsync(pooled, sink, ClaimCount, TimeSpan.FromSeconds(60));
            output?.WriteLine($"all {ClaimCount} claims at the insurer once each, acknowledged back, at {watch.Elapsed.TotalSeconds:F1} s; {sink.Attempts} hand-over requests");
            await kit.StopAdapterAsync(adapter);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            state.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The worst moment to die: the broker has confirmed a claim, the outbox does not know yet. To
    /// land there, PostgreSQL is cut away from the node while it publishes (its confirms arrive,
    /// its "sent" updates cannot be written), then the node is killed. The adapter is not running
    /// yet, so that no acknowledgement marks such a claim sent before the restarted node has
    /// published it a second time. Returns whether a claim was caught in that state: then the
    /// queue holds two copies of it, under the same message id.
    /// </summary>
    private static async Task<bool> KillMidDispatchAsync(AdapterTestKit kit, NodeProcess node, TcpProxy proxy,
        InsurerHttpSink sink, string pooled, int round, Stopwatch watch)
    {
        var output = TestContext.Current.TestOutputHelper;
        // 50 more than now (the node dispatches from its first second), never so late that the outbox is empty.
        var target = Math.Min((await ClaimDelivery.CountAsync(pooled)).Sent + 50, ClaimCount - 50);
        await Eventually.Until(() => ClaimDelivery.CountAsync(pooled), n => n.Sent >= target, $"{target} claims sent", TimeSpan.FromSeconds(60));
        proxy.Cut();
        await node.KillAsync();

        await using var c = new NpgsqlConnection(pooled);
        var sent = (await c.QueryAsync<string>("SELECT id FROM claims WHERE status = 'sent'")).Select(Guid.Parse).ToHashSet();
        var unsent = (await c.QueryAsync<string>("SELECT id FROM claims WHERE status <> 'sent'")).Select(Guid.Parse).ToList();
        Assert.True(unsent.Count > 0, "the outbox was empty before the kill: the kill proved nothing");
        uint queued;
        await using (var connection = await kit.Broker.Vhost.Factory().CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            queued = (await channel.QueueDeclarePassiveAsync(AccidentRemote.Contracts.Claims.ClaimsWire.QueueFor(kit.Code))).MessageCount;
        }

        // Every published claim is at the insurer or in the queue; those in the queue that the outbox
        // has not marked sent were caught between confirm and update.
        var handedOver = sink.Claims.Select(h => h.ClaimId).ToHashSet();
        var caught = (int)queued - sent.Count(id => !handedOver.Contains(id));
        output?.WriteLine($"round {round}: database cut and SIGKILL at {watch.Elapsed.TotalSeconds:F1} s: {sent.Count} of {ClaimCount} marked sent, " +
            $"{handedOver.Count} at the insurer, {queued} in the queue, {caught} confirmed by the broker but not marked sent");

        if (caught == 0)
        {
            // Once more, from a standing start as in round 1: a node that comes up ready publishes what is left in
            // one burst, faster than the test can count to its target, so the claims left are held (leased far
            // ahead, as if another node had them) until the node is up, then let go.
            await c.ExecuteAsync("UPDATE claims SET locked_until = @until WHERE status <> 'sent'", new { until = DateTimeOffset.UtcNow.AddHours(1) });
            proxy.Restore();
            await node.StartAgainAsync();
            await c.ExecuteAsync("UPDATE claims SET locked_until = NULL WHERE status <> 'sent'");
            output?.WriteLine($"round {round}: node up again (pid {node.Pid}) at {watch.Elapsed.TotalSeconds:F1} s; nothing caught, once more");
            return false;
        }

        proxy.Restore();
        await node.StartAgainAsync();

        // Let the restarted node publish every claim that was unsent at the kill before the adapter takes anything.
        await Eventually.Until(() => c.QuerySingleAsync<long>("SELECT count(*) FROM claims WHERE status <> 'sent' AND id = ANY(@ids)", new { ids = unsent.Select(i => i.ToString()).ToArray() }),
            n => n == 0, "the claims unsent at the kill sent by the restarted node", TimeSpan.FromSeconds(60));
        output?.WriteLine($"round {round}: node up again (pid {node.Pid}) and the outbox drained at {watch.Elapsed.TotalSeconds:F1} s");
        return caught > 0;
    }
}
