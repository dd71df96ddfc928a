using System.Diagnostics.Metrics;

namespace AccidentRemote.Server.Cases;

/// <summary>
/// The same figures as metrics (<c>/metrics</c>, Prometheus format via OpenTelemetry): a
/// histogram per target, recorded when the case reaches it.
/// </summary>
public sealed class CaseMetrics : IDisposable
{
    public const string MeterName = "AccidentRemote";
    private readonly Meter meter = new(MeterName);
    private readonly Histogram<double> answer;
    private readonly Histogram<double> move;
    private readonly Histogram<double> answerToMove;
    private readonly Histogram<double> close;
    private readonly Counter<long> reported;

    public CaseMetrics()
    {
        answer = meter.CreateHistogram<double>("accidentremote.case.time_to_answer", "s", "Report to officer answering");
        move = meter.CreateHistogram<double>("accidentremote.case.time_to_move", "s", "Report to cars moved off the road");
        answerToMove = meter.CreateHistogram<double>("accidentremote.case.answer_to_move", "s", "Officer answering to cars moved off the road");
        close = meter.CreateHistogram<double>("accidentremote.case.time_to_close", "s", "Report to case closed");
        reported = meter.CreateCounter<long>("accidentremote.cases.reported", "{case}", "Cases reported");
    }

    public void Reported(bool escalated) => reported.Add(1, new KeyValuePair<string, object?>("escalated", escalated));

    /// <summary>Records the span that the case's new state completes.</summary>
    public void StateReached(CaseRow c)
    {
        switch (c.Status)
        {
            case CaseStatus.InCall when c.AnsweredAt is { } at:
                answer.Record((at - c.ReportedAt).TotalSeconds);
                break;
            case CaseStatus.VehiclesMoved when c.VehiclesMovedAt is { } at:
                move.Record((at - c.ReportedAt).TotalSeconds);
                if (c.AnsweredAt is { } answered)
                {
                    answerToMove.Record((at - answered).TotalSeconds);
                }

                break;
            case CaseStatus.Closed when c.ClosedAt is { } at:
                close.Record((at - c.ReportedAt).TotalSeconds);
                break;
        }
    }

    public void Dispose() => meter.Dispose();
}
