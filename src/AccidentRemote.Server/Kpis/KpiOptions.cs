namespace AccidentRemote.Server.Kpis;

/// <summary>Settings for the board. Section <c>Kpis</c>.</summary>
public sealed class KpiOptions
{
    public const string Section = "Kpis";

    /// <summary>The centre's local time offset; "today" starts at local midnight. Beijing is +08:00.</summary>
    public TimeSpan UtcOffset { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// Empty (the default): <c>/metrics</c> is served on the service's port to signed-in staff only.
    /// Set: <c>/metrics</c> is served without sign-in on this port only (on the same interface as the
    /// first of the server's URLs), for a Prometheus that cannot sign in; that port serves nothing else.
    /// Keep it closed to the public (the load balancer forwards only the service's port).
    /// </summary>
    public int? MetricsPort { get; set; }

    /// <summary>
    /// How often the gauges of <c>/metrics</c> that need the database, Redis or the broker (queue length,
    /// officers online, claims parked, overdue, pending, dead-lettered) are read. A scrape only reads the
    /// last reading, so it never waits on any of them.
    /// </summary>
    public TimeSpan GaugeRefresh { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one gauge reading may take: the refresh interval, but at least 10 s (a busy database or a broker reconnecting).</summary>
    public static TimeSpan ReadingTimeout(TimeSpan refresh) => refresh > TimeSpan.FromSeconds(10) ? refresh : TimeSpan.FromSeconds(10);
}
