using System.Collections.Concurrent;
using System.Diagnostics;
using AccidentRemote.Server.Claims;
using AccidentRemote.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using RabbitMQ.Client;

namespace AccidentRemote.LoadBench;

/// <summary>
/// N cases made ready to close through the API (report, join, accept, liability, details,
/// document, signatures), then all closed with K clients: close → claims outbox (same
/// transaction) → dispatcher → MassTransit → RabbitMQ quorum queues with publisher confirms.
/// Live mode: the dispatcher runs during the closes (close → confirmed latency, the close rate
/// sets the pace). Hold mode: the closes fill the outbox with no dispatcher running, then a
/// normal server starts on the same database and broker and drains it (the dispatcher's
/// ceiling). Then a plain RabbitMQ.Client publisher with confirms on the same broker, with as
/// many confirms in flight as the dispatcher and with one.
/// </summary>
internal static class ClaimsBench
{
    public static async Task RunAsync(int caseCount, int clients, bool hold, CancellationToken ct)
    {
        await using var db = await PostgresDatabase.CreateAsync();
        await using var vhost = await RabbitVhost.CreateAsync();
        var pooled = BenchServers.Pooled(db);
        Stats.Line($"claims: {caseCount} cases, {clients} clients, mode {(hold ? "hold (dispatch released after all closes)" : "live (dispatch running during the closes)")}");

        // Live: the real server. Hold: the same server without its ClaimDispatcher (a bench-only start order,
        // no setting in the product), so the closes fill the outbox and nothing is published yet.
        var app = hold
            ? TestApp.Embedded(extra: BenchServers.Raised(Production(pooled, vhost.Name)), services: s =>
                s.Remove(s.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(ClaimDispatcher))))
            : TestApp.Production(pooled, vhost.Name, extra: BenchServers.Raised());
        var (closeSpan, closeLatencies) = await PrepareAndCloseAsync(app, caseCount, clients, ct);
        Stats.Line($"closes: {caseCount} in {closeSpan.TotalSeconds:F2} s ({caseCount / closeSpan.TotalSeconds:F0} closes/s)");
        Console.WriteLine(Stats.Summary("close request", closeLatencies));

        await using var sql = new NpgsqlConnection(pooled);
        var total = await sql.ExecuteScalarAsync<long>("SELECT count(*) FROM claims");
        var options = app.Services.GetRequiredService<IOptions<ClaimsOptions>>().Value;
        Stats.Line($"dispatcher settings: Claims:BatchSize {options.BatchSize}, Claims:PublishConcurrency {options.PublishConcurrency}");
        DateTime? released = null;
        if (hold)
        {
            var waiting = await sql.ExecuteScalarAsync<long>("SELECT count(*) FROM claims WHERE sent_at IS NULL");
            Stats.Line($"claims in the outbox, none dispatched: {waiting} of {total}");
            app.Dispose();
            released = DateTime.UtcNow;
            app = TestApp.Production(pooled, vhost.Name, extra: BenchServers.Raised());
            _ = app.Services; // starts the host: migrations (none left), bus, topology, the dispatcher
        }

        var sent = await Eventually.Until(() => sql.ExecuteScalarAsync<long>("SELECT count(*) FROM claims WHERE sent_at IS NOT NULL"), n => n >= total, "all claims sent", TimeSpan.FromMinutes(5));
        var rows = (await sql.QueryAsync<(DateTime Closed, DateTime Sent)>(
            "SELECT c.closed_at, k.sent_at FROM claims k JOIN cases c ON c.id = k.case_id WHERE k.sent_at IS NOT NULL")).ToList();
        var firstSent = rows.Min(r => r.Sent);
        var lastSent = rows.Max(r => r.Sent);
        double pipelineRate;
        double? warm = null;
        if (released is { } r0)
        {
            // sent_at is written once per leased batch (after its confirms): the claims stamped with the first
            // sent_at were published before it, so the rate counts only those confirmed after it.
            var drain = (lastSent - firstSent).TotalSeconds;
            pipelineRate = rows.Count(r => r.Sent > firstSent) / drain;
            Stats.Line($"claims written: {total}, confirmed into queues: {sent}");
            Stats.Line($"release → first confirm {(firstSent - r0).TotalSeconds:F2} s (host start: bus connection, topology); first → last confirm {drain:F2} s = {pipelineRate:F0} claims/s (the dispatcher's ceiling)");
            Stats.Line($"release → last confirm {(lastSent - r0).TotalSeconds:F2} s = {rows.Count / (lastSent - r0).TotalSeconds:F0} claims/s including the host start");
        }
        else
        {
            var firstClose = rows.Min(r => r.Closed);
            var span = (lastSent - firstClose).TotalSeconds;
            pipelineRate = rows.Count / span;
            Stats.Line($"claims written: {total}, confirmed into queues: {sent}; first close → last confirm {span:F2} s = {pipelineRate:F0} claims/s");
            Console.WriteLine(Stats.Summary("close → confirmed in queue (claims.sent_at - cases.closed_at)", rows.Select(r => (r.Sent - r.Closed).TotalMilliseconds)));
        }

        if (hold)
        {
            // Round 2, warm: the dispatcher's first drain above runs in a freshly started host (JIT, MassTransit's
            // pipes and channels), which weighs on a drain of a second or two. The same claims are made due
            // again, as the product's own re-publish of unacknowledged claims does (same ids), and drained by
            // the now warm dispatcher.
            await sql.ExecuteAsync("UPDATE claims SET status = 'pending', sent_at = NULL, locked_until = NULL, next_attempt_at = now() - interval '1 second'");
            var again = DateTime.UtcNow;
            app.Services.GetRequiredService<ClaimDispatchSignal>().Notify();
            await Eventually.Until(() => sql.ExecuteScalarAsync<long>("SELECT count(*) FROM claims WHERE sent_at IS NOT NULL"), n => n >= total, "all claims sent again", TimeSpan.FromMinutes(5));
            var sentAgain = (await sql.QueryAsync<DateTime>("SELECT sent_at FROM claims")).ToList();
            var first2 = sentAgain.Min();
            var last2 = sentAgain.Max();
            var warmRate = sentAgain.Count(t => t > first2) / (last2 - first2).TotalSeconds;
            Stats.Line($"round 2 (warm, same claims made due again): first → last confirm {(last2 - first2).TotalSeconds:F2} s = {warmRate:F0} claims/s; due → last confirm {(last2 - again).TotalSeconds:F2} s");
            warm = warmRate;
        }

        var factory = vhost.Factory();
        await using (var connection = await factory.CreateConnectionAsync(ct))
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: ct))
        {
            long inQueues = 0;
            foreach (var code in new[] { "picc", "pingan" })
            {
                inQueues += (await channel.QueueDeclarePassiveAsync("claims." + code, ct)).MessageCount;
            }

            Stats.Line($"messages in claims.picc + claims.pingan (broker's count): {inQueues}{(hold ? " (each claim twice: two rounds)" : "")}");
        }

        app.Dispose();
        var payloadBytes = (int)await sql.ExecuteScalarAsync<double>("SELECT avg(octet_length(payload::text)) FROM claims");
        var plain1 = await PlainAsync(factory, (int)total, payloadBytes, 1, ct);
        var plainK = await PlainAsync(factory, (int)total, payloadBytes, options.PublishConcurrency, ct);
        Stats.Line($"plain RabbitMQ.Client, confirms, direct exchange → 2 quorum queues, {total} messages of {payloadBytes} B: 1 in flight {plain1:F0} msg/s; {options.PublishConcurrency} in flight {plainK:F0} msg/s");
        Stats.Line($"ratio pipeline / plain: {pipelineRate / plainK:F2} (vs {options.PublishConcurrency} in flight, as the dispatcher), {pipelineRate / plain1:F2} (vs 1 in flight)");
        if (warm is { } w)
        {
            Stats.Line($"ratio warm round / plain: {w / plainK:F2} (vs {options.PublishConcurrency} in flight), {w / plain1:F2} (vs 1 in flight)");
        }
    }

    private static Dictionary<string, string?> Production(string postgres, string vhost) => new()
    {
        ["Database:Provider"] = "Postgres",
        ["Database:ConnectionString"] = postgres,
        ["Bus:Transport"] = "RabbitMq",
        ["Bus:RabbitMq:Host"] = TestServices.RabbitHost,
        ["Bus:RabbitMq:Port"] = TestServices.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Bus:RabbitMq:VirtualHost"] = vhost,
        ["Bus:RabbitMq:Username"] = TestServices.RabbitUser,
        ["Bus:RabbitMq:Password"] = TestServices.RabbitPassword,
    };

    /// <summary>N cases made ready to close through the API, then closed K at a time: the close phase's span and each close's latency.</summary>
    private static async Task<(TimeSpan Span, ConcurrentBag<double> Latencies)> PrepareAndCloseAsync(TestApp app, int caseCount, int clients, CancellationToken ct)
    {
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
        Stats.Line($"{caseCount} cases ready to close in {prepare.Elapsed.TotalSeconds:F1} s ({officerCount} officers)");

        var latencies = new ConcurrentBag<double>();
        var closing = Stopwatch.StartNew();
        await Stats.ForAsync(caseCount, clients, async (i, _) =>
        {
            var t = Stopwatch.GetTimestamp();
            await officers[i % officerCount].PostJsonAsync($"/api/cases/{caseIds[i]}/close", null);
            latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }, ct);
        var span = closing.Elapsed;
        foreach (var o in officers)
        {
            o.Dispose();
        }

        return (span, latencies);
    }

    /// <summary>
    /// The same kind of publishing without the product: persistent, mandatory, publisher confirms, a direct
    /// exchange routing by key to two quorum queues (as accidentremote.claims → claims.picc / claims.pingan),
    /// with at most inFlight publishes awaiting their confirm.
    /// </summary>
    private static async Task<double> PlainAsync(ConnectionFactory factory, int count, int bytes, int inFlight, CancellationToken ct)
    {
        await using var connection = await factory.CreateConnectionAsync(ct);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        var exchange = $"bench.plain.{inFlight}";
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Direct, durable: true, cancellationToken: ct);
        string[] keys = ["a", "b"];
        foreach (var key in keys)
        {
            var queue = $"{exchange}.{key}";
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: ct);
            await channel.QueueBindAsync(queue, exchange, key, cancellationToken: ct);
        }

        var body = new byte[bytes];
        Array.Fill(body, (byte)'x');
        var watch = Stopwatch.StartNew();
        var next = -1;
        var workers = Enumerable.Range(0, inFlight).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var props = new BasicProperties { Persistent = true, MessageId = Guid.NewGuid().ToString(), ContentType = "application/json" };
                await channel.BasicPublishAsync(exchange, keys[i % 2], mandatory: true, props, body, ct);
            }
        });
        await Task.WhenAll(workers);
        return count / watch.Elapsed.TotalSeconds;
    }
}
