using System.Diagnostics;
using AccidentRemote.Server.Claims;
using AccidentRemote.Tests.Infrastructure;
using AccidentRemote.Tests.InsurerAdapter;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AccidentRemote.Tests.Faults;

/// <summary>
/// RabbitMQ dies with SIGKILL (no clean shutdown) while officers close 1,000 cases, and comes back
/// on the same data. The outbox keeps what the broker had not confirmed, the quorum queue keeps
/// what it had, the adapter skips what it already handed over: every claim reaches the insurer once.
/// </summary>
[Collection(ProcessKills.Name)]
[Trait(TestCategory.Name, TestCategory.Fault)]
public sealed class BrokerKillTests
{
    private const int CaseCount = 1000;

    [Fact]
    public async Task RabbitMQ_killed_with_SIGKILL_and_restarted_while_1000_cases_close_every_claim_reaches_the_insurer_exactly_once()
    {
        var watch = Stopwatch.StartNew();
        var output = TestContext.Current.TestOutputHelper;
        // A broker of its own: the suite's shared one serves other tests at the same time.
        await using var rabbit = await RabbitNode.StartAsync();
        var code = "kill" + Guid.NewGuid().ToString("N")[..8];
        const string vhost = "accidentremote";
        const string serverUser = "accidentremote-server";
        await rabbit.ProvisionAsync(vhost, serverUser, code);
        output?.WriteLine($"private RabbitMQ {rabbit.Name} on :{rabbit.AmqpPort} up and provisioned at {watch.Elapsed.TotalSeconds:F1} s");

        await using var database = await PostgresDatabase.CreateAsync();
        var pooled = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = true, MaxPoolSize = 40 }.ConnectionString;
        await using var sink = await InsurerHttpSink.StartAsync();
        using var app = TestApp.Production(pooled, vhost, rabbit.AmqpPort, extra: new()
        {
            ["Bus:RabbitMq:Username"] = serverUser,
            ["Bus:RabbitMq:Password"] = ProvisionedBroker.PasswordFor(serverUser),
            ["Insurers:Catalogue:0:Code"] = code,
            ["Claims:PollInterval"] = "00:00:00.200",
            ["Claims:PublishTimeout"] = "00:00:02",
            ["Claims:MaxRetryDelay"] = "00:00:01",
        });
        var officer = await app.OfficerClientAsync();
        await app.Services.GetRequiredService<BrokerTopology>().Declared.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var template = await ReadyCases.TemplateAsync(app.CreateClient(), officer, code);
        output?.WriteLine($"template case at {watch.Elapsed.TotalSeconds:F1} s");
        var caseIds = await ReadyCases.CloneAsync(pooled, template, CaseCount);
        output?.WriteLine($"{CaseCount} cases ready to close at {watch.Elapsed.TotalSeconds:F1} s");

        var work = RabbitNode.MemoryFolder("ar-fault-adapter-");
        try
        {
            using var adapter = await ClaimDelivery.StartAdapterAsync(code, rabbit.AmqpPort, vhost, sink, work);

            // Sixteen officers' consoles closing cases at once; closing needs only the database.
            var closed = 0;
            var closing = Parallel.ForEachAsync(caseIds, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, _) =>
            {
                await officer.PostJsonAsync($"/api/cases/{id}/close", null);
                Interlocked.Increment(ref closed);
            });

            // Kill the broker once the insurer has some claims but not all.
            await Eventually.Until(() => Task.FromResult(sink.Claims.Count), n => n >= 100, "the first 100 claims at the insurer", TimeSpan.FromSeconds(60));
            await rabbit.Kill9Async();
            var atKill = (Insurer: sink.Claims.Count, Closed: Volatile.Read(ref closed), Outbox: await ClaimDelivery.CountAsync(pooled));
            output?.WriteLine($"SIGKILL at {watch.Elapsed.TotalSeconds:F1} s: {atKill.Closed} closed, {atKill.Outbox.Sent} confirmed by the broker, {atKill.Insurer} at the insurer");
            Assert.True(atKill.Insurer < CaseCount, "every claim had reached the insurer before the broker was killed: the kill proved nothing");

            await rabbit.StartAgainAsync();
            output?.WriteLine($"RabbitMQ back at {watch.Elapsed.TotalSeconds:F1} s");
            await closing;
            Assert.Equal(CaseCount, closed);

            await ClaimDelivery.AssertEachClaimHandedOverOnceAsync(pooled, sink, CaseCount, TimeSpan.FromSeconds(90));
            output?.WriteLine($"all {CaseCount} claims at the insurer once each, acknowledged back, at {watch.Elapsed.TotalSeconds:F1} s; " +
                $"{sink.Attempts} hand-over requests");
            await adapter.StopAsync();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            work.Delete(recursive: true);
        }
    }
}
