using System.Text.Json;

namespace AccidentRemote.Server.Claims;

public static class ClaimStatus
{
    /// <summary>Written, not yet confirmed by the broker.</summary>
    public const string Pending = "pending";

    /// <summary>The broker confirmed it is in the insurer's queue.</summary>
    public const string Sent = "sent";

    /// <summary>No queue is bound for the insurer: kept, logged, retried until a queue appears.</summary>
    public const string Parked = "parked";
}

/// <summary>A row of the <c>claims</c> table: the outbox state and the insurer's acknowledgement of one claim.</summary>
public sealed class ClaimRow
{
    /// <summary>Every column, in the order the outbox inserts them.</summary>
    internal const string Columns = "id, case_id, party_id, insurer_code, payload, status, attempts, last_error, created_at, next_attempt_at, sent_at, " +
        "claim_report_number, acknowledged_at, first_sent_at, republished, traceparent";


    public Guid Id { get; set; }

    public Guid CaseId { get; set; }

    public Guid PartyId { get; set; }

    public string InsurerCode { get; set; } = "";

    public string Payload { get; set; } = "";

    public string Status { get; set; } = "";

    public int Attempts { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    public string? ClaimReportNumber { get; set; }

    public DateTimeOffset? AcknowledgedAt { get; set; }

    public DateTimeOffset? FirstSentAt { get; set; }

    public int Republished { get; set; }

    /// <summary>The W3C traceparent of the span that enqueued the claim (<see cref="Telemetry.Tracing"/>), or null.</summary>
    public string? Traceparent { get; set; }
}

public sealed record ClaimView(
    Guid ClaimId, Guid CaseId, Guid PartyId, string InsurerCode, string Status, int Attempts, string? LastError, DateTimeOffset CreatedAt,
    DateTimeOffset? SentAt, DateTimeOffset? NextAttemptAt, string? ClaimReportNumber, DateTimeOffset? AcknowledgedAt, int Republished)
{
    public static ClaimView From(ClaimRow r) => new(r.Id, r.CaseId, r.PartyId, r.InsurerCode, r.Status, r.Attempts, r.LastError, r.CreatedAt, r.SentAt,
        r.Status == ClaimStatus.Sent ? null : r.NextAttemptAt, r.ClaimReportNumber, r.AcknowledgedAt, r.Republished);
}

/// <summary>How a <see cref="AccidentRemote.Contracts.Claims.ClaimSubmitted"/> is stored in <c>claims.payload</c> (and the embedded inbox): the wire JSON.</summary>
public static class ClaimPayload
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
