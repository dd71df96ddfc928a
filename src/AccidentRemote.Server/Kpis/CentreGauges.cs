using System.Diagnostics.Metrics;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Data;
using AccidentRemote.Server.Signalling;
using Dapper;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Kpis;

/// <summary>
/// The centre's live gauges: cases waiting for an officer and officers online. Read from the database and
/// presence (Redis when scaled out) every <see cref="KpiOptions.GaugeRefresh"/>, each reading bounded by
/// <see cref="KpiOptions.ReadingTimeout"/>; the scrape reports the last reading and never waits. The values are the centre's, so every node
/// reports the same (take the max over nodes). Absent until the first reading.
/// </summary>
public sealed class CentreGauges : BackgroundService
{
    private readonly Meter meter = new(CaseMetrics.MeterName);
    private readonly Db db;
    private readonly Presence presence;
    private readonly TimeSpan interval;
    private readonly ILogger<CentreGauges> logger;
    private volatile Reading? last;

    public CentreGauges(Db db, Presence presence, IOptions<KpiOptions> options, ILogger<CentreGauges> logger)
    {
        this.db = db;
        this.presence = presence;
        this.logger = logger;
        interval = options.Value.GaugeRefresh;
        meter.CreateObservableGauge("accidentremote.queue.length", () => last is { } r ? [new Measurement<long>(r.Queue)] : Array.Empty<Measurement<long>>(),
            "{case}", "Cases reported and waiting for an officer to answer");
        meter.CreateObservableGauge("accidentremote.officers.online", () => last is { } r ? [new Measurement<long>(r.Officers)] : Array.Empty<Measurement<long>>(),
            "{officer}", "Officers with the console open (a live hub connection)");
    }

    private sealed record Reading(long Queue, long Officers);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            bounded.CancelAfter(KpiOptions.ReadingTimeout(interval));
            try
            {
                await using var c = await db.OpenAsync(bounded.Token);
                var queue = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT COUNT(*) FROM cases WHERE status IN (@reported, @queued)",
                    new { reported = CaseStatus.Reported, queued = CaseStatus.Queued }, cancellationToken: bounded.Token));
                var officers = await presence.OfficersOnlineAsync().WaitAsync(bounded.Token);
                last = new Reading(queue, officers);
                failing = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (!failing)
                {
                    logger.LogWarning("Could not read the queue and officer gauges ({Error}); the last reading stays until the next one works", ex.Message);
                }

                failing = true;
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

    public override void Dispose()
    {
        meter.Dispose();
        base.Dispose();
    }
}
