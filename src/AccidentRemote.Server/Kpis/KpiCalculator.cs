namespace AccidentRemote.Server.Kpis;

/// <summary>Median, 90th percentile and share within a target of a set of durations.</summary>
public sealed record DurationStats(int Count, double? MedianSeconds, double? P90Seconds, double? ShareWithinTarget, int TargetSeconds)
{
    /// <summary>
    /// Median: the middle value (mean of the two middle ones for an even count). P90: nearest
    /// rank, the smallest value with at least 90 % of values at or below it. Share: values
    /// at or below the target, over all values.
    /// </summary>
    public static DurationStats Of(IEnumerable<double> seconds, int targetSeconds)
    {
        var sorted = seconds.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new DurationStats(0, null, null, null, targetSeconds);
        }

        var n = sorted.Length;
        var median = n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
        var p90 = sorted[(int)Math.Ceiling(0.9 * n) - 1];
        var share = (double)sorted.Count(s => s <= targetSeconds) / n;
        return new DurationStats(n, median, p90, share, targetSeconds);
    }
}

public sealed record KpiBucket(DateTimeOffset Start, int Reported, int Closed, double? MedianAnswerSeconds);

/// <summary>The supervisor board: the 1 / 4 / 15-minute targets and how the centre is doing now.</summary>
public sealed record KpiBoard(
    DateTimeOffset DayStart,
    DateTimeOffset Now,
    DurationStats Answer,
    DurationStats Move,
    DurationStats Close,
    int CasesReported,
    int Escalated,
    int Abandoned,
    double? AbandonmentRate,
    int QueueLength,
    int OfficersOnDuty,
    int OfficersBusy,
    double? SatisfactionAverage,
    int SatisfactionCount,
    IReadOnlyList<KpiBucket> Today,
    IReadOnlyList<KpiBucket> Week,
    int Expired = 0);

/// <summary>What the calculator needs of a case. <see cref="AbandonReason"/> is <c>expired</c> for a case nobody answered in time.</summary>
public sealed record KpiCase(DateTimeOffset ReportedAt, DateTimeOffset? AnsweredAt, DateTimeOffset? VehiclesMovedAt, DateTimeOffset? ClosedAt, string Status, Guid? OfficerId,
    string? AbandonReason = null);

/// <summary>
/// Pure computation of the board from the day's and week's cases, so that it can be checked
/// against hand-computed values. All three times count from the report: Beijing's
/// "1 min to answer, 4 min to move, 15 min to close".
/// </summary>
public static class KpiCalculator
{
    public const int AnswerTargetSeconds = 60;
    public const int MoveTargetSeconds = 4 * 60;
    public const int CloseTargetSeconds = 15 * 60;

    public static KpiBoard Compute(
        IReadOnlyList<KpiCase> weekCases, IReadOnlyList<int> todaysRatings, DateTimeOffset now, TimeSpan utcOffset, int officersOnDuty)
    {
        var localNow = now.ToOffset(utcOffset);
        var dayStart = new DateTimeOffset(localNow.Date, utcOffset);
        var weekStart = dayStart.AddDays(-6);
        var today = weekCases.Where(c => c.ReportedAt >= dayStart && c.ReportedAt <= now).ToList();

        static IEnumerable<double> Span(IEnumerable<KpiCase> cases, Func<KpiCase, DateTimeOffset?> end) =>
            cases.Where(c => end(c) is not null).Select(c => (end(c)!.Value - c.ReportedAt).TotalSeconds);

        var escalated = today.Count(c => c.Status == "escalated");
        var abandoned = today.Count(c => c.Status == "abandoned");
        var handled = today.Count - escalated;
        var active = new[] { "in_call", "vehicles_moved", "liability_determined", "awaiting_signatures" };

        return new KpiBoard(
            dayStart,
            now,
            DurationStats.Of(Span(today, c => c.AnsweredAt), AnswerTargetSeconds),
            DurationStats.Of(Span(today, c => c.VehiclesMovedAt), MoveTargetSeconds),
            DurationStats.Of(Span(today, c => c.ClosedAt), CloseTargetSeconds),
            today.Count,
            escalated,
            abandoned,
            handled == 0 ? null : (double)abandoned / handled,
            weekCases.Count(c => c.Status is "reported" or "queued"),
            officersOnDuty,
            weekCases.Where(c => active.Contains(c.Status) && c.OfficerId is not null).Select(c => c.OfficerId).Distinct().Count(),
            todaysRatings.Count == 0 ? null : todaysRatings.Average(),
            todaysRatings.Count,
            Enumerable.Range(0, localNow.Hour + 1).Select(h => Bucket(today, dayStart.AddHours(h), dayStart.AddHours(h + 1))).ToList(),
            Enumerable.Range(0, 7).Select(d => Bucket(weekCases, weekStart.AddDays(d), weekStart.AddDays(d + 1))).ToList(),
            today.Count(c => c.Status == "abandoned" && c.AbandonReason == "expired"));
    }

    private static KpiBucket Bucket(IEnumerable<KpiCase> cases, DateTimeOffset from, DateTimeOffset to)
    {
        var inBucket = cases.Where(c => c.ReportedAt >= from && c.ReportedAt < to).ToList();
        return new KpiBucket(from, inBucket.Count, inBucket.Count(c => c.ClosedAt is not null),
            DurationStats.Of(inBucket.Where(c => c.AnsweredAt is not null).Select(c => (c.AnsweredAt!.Value - c.ReportedAt).TotalSeconds), AnswerTargetSeconds).MedianSeconds);
    }
}
