using AccidentRemote.Server.Kpis;

namespace AccidentRemote.Server.Claims;

/// <summary>Delivery per insurer: how many claims were published, taken by the broker, answered, and how fast.</summary>
public sealed record InsurerDelivery(
    string InsurerCode, int Published, int Delivered, int Acknowledged, int Parked, int Overdue, int Republished,
    double? MedianSecondsToDeliver, double? MedianSecondsToAcknowledge);

public static class InsurerStats
{
    /// <summary>
    /// Published: written to the outbox at close. Delivered: confirmed by the broker into the
    /// insurer's queue (first time). Acknowledged: the insurer answered with its report number.
    /// Overdue: delivered, unanswered and published again at least once.
    /// </summary>
    public static IReadOnlyList<InsurerDelivery> Compute(IEnumerable<ClaimRow> claims) =>
        claims.GroupBy(c => c.InsurerCode).OrderBy(g => g.Key).Select(g => new InsurerDelivery(
            g.Key,
            g.Count(),
            g.Count(c => c.FirstSentAt is not null),
            g.Count(c => c.AcknowledgedAt is not null),
            g.Count(c => c.Status == ClaimStatus.Parked),
            g.Count(c => c.AcknowledgedAt is null && c.Republished > 0),
            g.Sum(c => c.Republished),
            DurationStats.Of(g.Where(c => c.FirstSentAt is not null).Select(c => (c.FirstSentAt!.Value - c.CreatedAt).TotalSeconds), 60).MedianSeconds,
            DurationStats.Of(g.Where(c => c.AcknowledgedAt is not null && c.FirstSentAt is not null).Select(c => (c.AcknowledgedAt!.Value - c.FirstSentAt!.Value).TotalSeconds), 60).MedianSeconds))
        .ToList();
}
