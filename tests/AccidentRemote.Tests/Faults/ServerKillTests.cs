using System.Diagnostics;
using System.Text.Json;
using AccidentRemote.Tests.Infrastructure;
using AccidentRemote.Tests.InsurerAdapter;
using Dapper;
using Npgsql;

namespace AccidentRemote.Tests.Faults;

/// <summary>
/// The server node dies with SIGKILL in the middle of dispatching its outbox and is started again
/// through infra/node/start-node.sh: the outbox resumes where the database says it stopped, and
/// what was published but not yet marked sent goes again under the same message id, which the
/// insurer adapter recognises. Nothing is lost, nothing reaches the insurer twice.
/// </summary>
public sealed class ServerKillTests
{
    private const int ClaimCount = 1000;

    [Fact]
    public async Task The_server_killed_with_SIGKILL_mid_dispatch_resumes_after_restart_and_no_claim_is_lost_or_doubled()
    {
        var watch = Stopwatch.StartNew();
        var output = TestContext.Current.TestOutputHelper;
        await using var kit = await AdapterTestKit.CreateAsync();
        await using var database = await PostgresDatabase.CreateAsync();
        var pooled = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = true, MaxPoolSize = 20 }.ConnectionString;
        await using var sink = await InsurerHttpSink.StartAsync();

        // The schema and one case made by the real server; then 1,000 claims waiting in its outbox,
        // as after a burst of closes the node had no time to dispatch.
        using (var maker = TestApp.WithSettings(new() { ["Database:Provider"] = "Postgres", ["Database:ConnectionString"] = pooled, ["Bus:Transport"] = "InMemory", ["Insurers:Catalogue:0:Code"] = kit.Code }))
        {
            var officer = await maker.OfficerClientAsync();
            var report = await maker.CreateClient().PostJsonAsync("/api/cases", Api.Report("京A10000", kit.Code, parties: 1), 201);
            await FillOutboxAsync(pooled, Guid.Parse(report.GetProperty("caseId").GetString()!), kit.Code);
        }

        await using var node = await NodeProcess.StartAsync("node1", new()
        {
            ["Database__ConnectionString"] = pooled,
            ["Bus__RabbitMq__Host"] = TestServices.RabbitHost,
            ["Bus__RabbitMq__Port"] = TestServices.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Bus__RabbitMq__VirtualHost"] = kit.Broker.Vhost.Name,
            ["Bus__RabbitMq__Username"] = kit.Broker.ServerUser,
            ["Bus__RabbitMq__Password"] = ProvisionedBroker.PasswordFor(kit.Broker.ServerUser),
            ["Signalling__Redis"] = TestServices.Redis,
            ["Insurers__Catalogue__0__Code"] = kit.Code,
            ["Claims__PollInterval"] = "00:00:00.200",
            ["Claims__PublishTimeout"] = "00:00:02",
            ["Claims__MaxRetryDelay"] = "00:00:01",
            ["Claims__PublishConcurrency"] = "4",
            ["Claims__BatchSize"] = "20",
            ["Logging__LogLevel__AccidentRemote.Server.Claims"] = "Warning",
        });
        output?.WriteLine($"node up (pid {node.Pid}) at {watch.Elapsed.TotalSeconds:F1} s");
        var state = RabbitNode.MemoryFolder("ar-fault-state-");
        try
        {
            var settings = kit.Settings(http: sink.Endpoint);
            settings["Adapter:StateFile"] = Path.Combine(state.FullName, "state.db");
            var adapter = await kit.StartAdapterAsync(settings);
            await KillAndRestartMidDispatchAsync(node, sink, pooled, watch);
            await kit.StopAdapterAsync(adapter);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            state.Delete(recursive: true);
        }
    }

    private static async Task KillAndRestartMidDispatchAsync(NodeProcess node, InsurerHttpSink sink, string pooled, Stopwatch watch)
    {
        var output = TestContext.Current.TestOutputHelper;

        await Eventually.Until(() => Task.FromResult(sink.Claims.Count), n => n >= 50, "the first 50 claims at the insurer", TimeSpan.FromSeconds(60));
        await node.KillAsync();
        var atKill = await ClaimDelivery.CountAsync(pooled);
        output?.WriteLine($"SIGKILL at {watch.Elapsed.TotalSeconds:F1} s: {atKill.Sent} of {ClaimCount} marked sent, {sink.Claims.Count} at the insurer");
        Assert.True(atKill.Sent < ClaimCount, "the outbox was empty before the kill: the kill proved nothing");

        await node.StartAgainAsync();
        output?.WriteLine($"node up again (pid {node.Pid}) at {watch.Elapsed.TotalSeconds:F1} s");
        await ClaimDelivery.AssertEachClaimHandedOverOnceAsync(pooled, sink, ClaimCount, TimeSpan.FromSeconds(60));
        output?.WriteLine($"all {ClaimCount} claims at the insurer once each, acknowledged back, at {watch.Elapsed.TotalSeconds:F1} s; {sink.Attempts} hand-over requests");
    }

    /// <summary>Copies the one-party case <see cref="ClaimCount"/> times and puts one pending claim per copy in the outbox.</summary>
    private static async Task FillOutboxAsync(string connectionString, Guid template, string code)
    {
        var caseIds = await ReadyCases.CloneAsync(connectionString, template, ClaimCount);
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync();
        var parties = (await c.QueryAsync<(string Id, string CaseId)>("SELECT id, case_id FROM parties WHERE case_id <> @template", new { template = template.ToString() })).ToList();
        Assert.Equal(caseIds.Count, parties.Count);
        var now = DateTimeOffset.UtcNow;
        var rows = parties.Select(p =>
        {
            var claim = AdapterTestKit.NewClaim(code) with { ClaimId = Guid.NewGuid(), CaseId = Guid.Parse(p.CaseId) };
            return new { Id = claim.ClaimId.ToString(), p.CaseId, PartyId = p.Id, Code = code, Payload = JsonSerializer.Serialize(claim, AccidentRemote.Server.Claims.ClaimOutbox.Json), Now = now };
        });
        await using var tx = await c.BeginTransactionAsync();
        await c.ExecuteAsync("""
            INSERT INTO claims (id, case_id, party_id, insurer_code, payload, status, attempts, created_at, next_attempt_at)
            VALUES (@Id, @CaseId, @PartyId, @Code, @Payload, 'pending', 0, @Now, @Now)
            """, rows, tx);
        await tx.CommitAsync();
    }
}
