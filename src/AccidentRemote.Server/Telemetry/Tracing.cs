using System.Diagnostics;

namespace AccidentRemote.Server.Telemetry;

/// <summary>
/// The server's own spans (<see cref="SourceName"/>), and how a trace is carried through the claims outbox:
/// the closing transaction's W3C <c>traceparent</c> is stored with each claim row, and the dispatcher's
/// publish span starts under it, so close → enqueue → publish → broker confirm is one trace even when
/// the publish happens minutes later or on another node. Span names and tags carry ids and states only,
/// never personal data.
/// </summary>
public static class Tracing
{
    public const string SourceName = "AccidentRemote";

    /// <summary>MassTransit's own ActivitySource (send, receive, consume spans).</summary>
    public const string MassTransitSourceName = "MassTransit";

    public static readonly ActivitySource Source = new(SourceName, typeof(Tracing).Assembly.GetName().Version?.ToString());

    /// <summary>The current span as a W3C <c>traceparent</c> (<c>00-trace-span-flags</c>), or null when nothing is traced.</summary>
    public static string? CurrentTraceparent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>The parent a stored <c>traceparent</c> names; default (a new trace) when there is none or it does not parse.</summary>
    public static ActivityContext ParentFrom(string? traceparent) =>
        ActivityContext.TryParse(traceparent, null, isRemote: true, out var context) ? context : default;
}
