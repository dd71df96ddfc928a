using System.Diagnostics;
using AccidentRemote.Tests.Infrastructure;
using Dapper;
using Npgsql;
using RabbitMQ.Client;

namespace AccidentRemote.LoadBench;

/// <summary>
/// N cases made ready to close through the API (report, join, accept, liability, details,
/// document, signatures), then all closed at once with K clients: close → claims outbox (same
/// transaction) → dispatcher → MassTransit → RabbitMQ quorum queues with publisher confirms.
/// Then a plain RabbitMQ.Client publisher with confirms into a quorum queue on the same broker.
/// </summary>
internal static class ClaimsBench
{
    public static async Task RunAsync(int caseCount, int clients, CancellationToken ct)
    {
        await using var db = await PostgresDatabase.CreateAsync();
        await using var vhost = await RabbitVhost.CreateAsync();
        var pooled = BenchServers.Pooled(db);
        using var app = TestApp.Production(pooled, vhost.Name, extra: BenchServers.Raised());
        app.StartKestrel();
        using var anonymous = app.RealClient();
        var officerCount = Math.Max(1, caseCount / 10);
        var officers = new List<HttpClient>();
        for (var o = 0; o < officerCount; o++)
        {
            officers.Add((await BenchServers.OfficerAsync(app, $"closer{o}")).Client);
        }

        var prepare = Stopwatch.StartNew();
        var caseIds = new string[caseCount];
        await Stats.ForAsync(caseCount, clients, async (i, _) =>
        {
            var (caseId, _) = await Api.CaseReadyToCloseAsync(anonymous, officers[i % officerCount], plate1: Stats.Plate("京A", i), plate2: Stats.Plate("沪B", i));
            caseIds[i] = caseId;
        }, ct);
        Stats.Line($"claims: {caseCount} cases ready to close in {prepare.Elapsed.TotalSeconds:F1} s ({officerCount} officers, {clients} clients)");

        // Close them all, K at a time.
        var closeLatencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var closing = Stopwatch.StartNew();
        await Stats.ForAsync(caseCount, clients, async (i, _) =>
        {
            var t = Stopwatch.GetTimestamp();
            await officers[i % officerCount].PostJsonAsync($"/api/cases/{caseIds[i]}/close", null);
            closeLatencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }, ct);
        Stats.Line($"closes: {caseCount} in {closing.Elapsed.TotalSeconds:F2} s ({caseCount / closing.Elapsed.TotalSeconds:F0} closes/s)");
        Console.WriteLine(Stats.Summary("close request", closeLatencies));

        await using var sql = new NpgsqlConnection(pooled);
        var total = await sql.ExecuteScalarAsync<long>("SELECT count(*) FROM claims");
        var sent = await Eventually.Until(() => sql.ExecuteScalarAsync<long>("SELECT count(*) FROM claims WHERE sent_at IS NOT NULL"), n => n >= total, "all claims sent", TimeSpan.FromMinutes(3));
        var rows = (await sql.QueryAsync<(DateTime Closed, DateTime Sent)>(
            "SELECT c.closed_at, k.sent_at FROM claims k JOIN cases c ON c.id = k.case_id WHERE k.sent_at IS NOT NULL")).ToList();
        var firstClose = rows.Min(r => r.Closed);
        var lastSent = rows.Max(r => r.Sent);
        var span = (lastSent - firstClose).TotalSeconds;
        var pipelineRate = rows.Count / span;
        Stats.Line($"claims written: {total}, confirmed into queues: {sent}; first close → last confirm {span:F2} s = {pipelineRate:F0} claims/s");
        Console.WriteLine(Stats.Summary("close → confirmed in queue (claims.sent_at - cases.closed_at)", rows.Select(r => (r.Sent - r.Closed).TotalMilliseconds)));

        var factory = vhost.Factory();
        await using (var connection = await factory.CreateConnectionAsync(ct))
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: ct))
        {
            long inQueues = 0;
            foreach (var code in new[] { "picc", "pingan" })
            {
                inQueues += (await channel.QueueDeclarePassiveAsync("claims." + code, ct)).MessageCount;
            }

            Stats.Line($"messages in claims.picc + claims.pingan (broker's count): {inQueues}");
        }

        var payloadBytes = (int)await sql.ExecuteScalarAsync<double>("SELECT avg(octet_length(payload::text)) FROM claims");
        var plain1 = await PlainAsync(factory, (int)total, payloadBytes, 1, ct);
        var plainK = await PlainAsync(factory, (int)total, payloadBytes, 32, ct);
        Stats.Line($"plain RabbitMQ.Client, confirms, quorum queue, {total} messages of {payloadBytes} B: 1 in flight {plain1:F0} msg/s; 32 in flight {plainK:F0} msg/s");
        Stats.Line($"ratio pipeline / plain: {pipelineRate / plain1:F2} (vs 1 in flight), {pipelineRate / plainK:F2} (vs 32 in flight)");

        foreach (var o in officers)
        {
            o.Dispose();
        }
    }

    private static async Task<double> PlainAsync(ConnectionFactory factory, int count, int bytes, int inFlight, CancellationToken ct)
    {
        await using var connection = await factory.CreateConnectionAsync(ct);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        var queue = $"bench.plain.{inFlight}";
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: ct);
        var body = new byte[bytes];
        Array.Fill(body, (byte)'x');
        var watch = Stopwatch.StartNew();
        var next = -1;
        var workers = Enumerable.Range(0, inFlight).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < count)
            {
                var props = new BasicProperties { Persistent = true, MessageId = Guid.NewGuid().ToString(), ContentType = "application/json" };
                await channel.BasicPublishAsync("", queue, mandatory: true, props, body, ct);
            }
        });
        await Task.WhenAll(workers);
        return count / watch.Elapsed.TotalSeconds;
    }
}
