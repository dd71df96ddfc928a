using System.Diagnostics.Metrics;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Insurers;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Claims;

/// <summary>
/// Delivery per insurer as metrics (label <c>insurer</c>, the insurer's code). Counters count on the node
/// that did the work (sum them over nodes); gauges are read from the database and the broker by
/// <see cref="ClaimGauges"/> on a timer and are the same on every node (take the max over nodes). The
/// scrape only reads the last snapshot: it never waits for the database or the broker.
/// </summary>
public sealed class ClaimMetrics : IDisposable
{
    private readonly Meter meter = new(CaseMetrics.MeterName);
    private readonly Counter<long> published;
    private readonly Counter<long> acknowledged;
    private volatile ClaimSnapshot? snapshot;
    private volatile IReadOnlyDictionary<string, long>? deadLettered;

    public ClaimMetrics(IOptions<InsurerOptions> insurers)
    {
        published = meter.CreateCounter<long>("accidentremote.claims.published", "{claim}",
            "Claims the broker confirmed into the insurer's queue (each publish, re-publishes included)");
        acknowledged = meter.CreateCounter<long>("accidentremote.claims.acknowledged", "{claim}",
            "Claims the insurer answered with its claim report number (delivered and acknowledged)");
        // Every insurer's series exists from the start at 0, so that rate() and increase() see the first claim.
        foreach (var insurer in insurers.Value.Catalogue)
        {
            published.Add(0, Insurer(insurer.Code));
            acknowledged.Add(0, Insurer(insurer.Code));
        }

        meter.CreateObservableGauge("accidentremote.claims.parked", () => Read(s => s.Parked), "{claim}",
            "Claims waiting because no queue is bound for the insurer");
        meter.CreateObservableGauge("accidentremote.claims.overdue", () => Read(s => s.Overdue), "{claim}",
            "Claims delivered at least once and not acknowledged within Claims:AckTimeout of the first delivery");
        meter.CreateObservableGauge("accidentremote.claims.pending", () => Read(s => s.Pending), "{claim}",
            "Claims in the outbox not yet confirmed by the broker (parked ones not included)");
        meter.CreateObservableGauge("accidentremote.claims.dead_lettered", ReadDeadLetters, "{message}",
            "Messages in the insurer's dead-letter queue claims.<insurer>.dead (RabbitMQ only)");
    }

    public void Published(string insurerCode) => published.Add(1, Insurer(insurerCode));

    public void Acknowledged(string insurerCode) => acknowledged.Add(1, Insurer(insurerCode));

    internal void Update(ClaimSnapshot claims) => snapshot = claims;

    internal void UpdateDeadLetters(IReadOnlyDictionary<string, long> counts) => deadLettered = counts;

    private IEnumerable<Measurement<long>> Read(Func<ClaimCounts, long> pick) =>
        snapshot is { } s ? s.ByInsurer.Select(kv => new Measurement<long>(pick(kv.Value), Insurer(kv.Key))) : [];

    private IEnumerable<Measurement<long>> ReadDeadLetters() =>
        deadLettered is { } d ? d.Select(kv => new Measurement<long>(kv.Value, Insurer(kv.Key))) : [];

    private static KeyValuePair<string, object?> Insurer(string code) => new("insurer", code);

    public void Dispose() => meter.Dispose();
}

internal sealed record ClaimCounts(long Parked, long Overdue, long Pending);

/// <summary>One reading of the claims table, every configured insurer present (0 when it has none).</summary>
internal sealed record ClaimSnapshot(IReadOnlyDictionary<string, ClaimCounts> ByInsurer);
