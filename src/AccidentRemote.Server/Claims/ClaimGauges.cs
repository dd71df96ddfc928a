using AccidentRemote.Server.Data;
using AccidentRemote.Server.Insurers;
using AccidentRemote.Server.Kpis;
using Dapper;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Claims;

/// <summary>
/// Reads the per-insurer gauges of <see cref="ClaimMetrics"/> every <see cref="KpiOptions.GaugeRefresh"/>,
/// each reading bounded by <see cref="KpiOptions.ReadingTimeout"/>: parked, overdue and pending from the claims
/// table, and on RabbitMQ the dead-letter queues' message counts (<see cref="DeadLetterCounts"/>), each on its own
/// so that one source failing does not stop the other. A failed reading keeps the last one.
/// </summary>
internal sealed class ClaimGauges(
    Db db, ClaimMetrics metrics, IOptions<InsurerOptions> insurers, IOptions<ClaimsOptions> claims, IOptions<KpiOptions> kpis,
    TimeProvider clock, ILogger<ClaimGauges> logger, DeadLetterCounts? deadLetters = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = kpis.Value.GaugeRefresh;
        var failing = new HashSet<string>();
        while (!stoppingToken.IsCancellationRequested)
        {
            await ReadOneAsync("claims table", async ct => metrics.Update(await ReadAsync(ct)), failing, stoppingToken);
            if (deadLetters is not null)
            {
                await ReadOneAsync("dead-letter queues", async ct => metrics.UpdateDeadLetters(await deadLetters.CountAsync(ct)), failing, stoppingToken);
            }

            try
            {
                await Task.Delay(interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReadOneAsync(string source, Func<CancellationToken, Task> read, HashSet<string> failing, CancellationToken stoppingToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        bounded.CancelAfter(KpiOptions.ReadingTimeout(kpis.Value.GaugeRefresh));
        try
        {
            await read(bounded.Token);
            failing.Remove(source);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            if (failing.Add(source))
            {
                logger.LogWarning("Could not read the claim gauges from the {Source} ({Error}); the last reading stays until the next one works", source, ex.Message);
            }
        }
    }

    private async Task<ClaimSnapshot> ReadAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string InsurerCode, long Parked, long Overdue, long Pending)>(new CommandDefinition("""
            SELECT insurer_code,
                   SUM(CASE WHEN status = @parked THEN 1 ELSE 0 END),
                   SUM(CASE WHEN first_sent_at IS NOT NULL AND first_sent_at < @cutoff THEN 1 ELSE 0 END),
                   SUM(CASE WHEN status = @pending THEN 1 ELSE 0 END)
            FROM claims
            WHERE acknowledged_at IS NULL
            GROUP BY insurer_code
            """,
            new { parked = ClaimStatus.Parked, pending = ClaimStatus.Pending, cutoff = clock.GetUtcNow() - claims.Value.AckTimeout },
            cancellationToken: ct));
        var counts = insurers.Value.Catalogue.ToDictionary(i => i.Code, _ => new ClaimCounts(0, 0, 0), StringComparer.Ordinal);
        foreach (var r in rows)
        {
            counts[r.InsurerCode] = new ClaimCounts(r.Parked, r.Overdue, r.Pending);
        }

        return new ClaimSnapshot(counts);
    }
}
