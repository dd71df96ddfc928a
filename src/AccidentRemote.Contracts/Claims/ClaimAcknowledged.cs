namespace AccidentRemote.Contracts.Claims;

/// <summary>
/// An insurer's answer to a claim: it has the claim and gives its own claim report number
/// (报案号). Published as plain JSON on the direct exchange <see cref="ClaimsWire.AcksExchange"/>
/// with routing key = the insurer's code, and the AMQP <c>user_id</c> property set to the
/// insurer's broker user (RabbitMQ checks it), so an insurer can only answer for itself.
/// </summary>
public sealed record ClaimAcknowledged
{
    public int SchemaVersion { get; init; } = ClaimsWire.SchemaVersion;

    /// <summary>The <see cref="ClaimSubmitted.ClaimId"/> being answered.</summary>
    public required Guid ClaimId { get; init; }

    public required string InsurerCode { get; init; }

    /// <summary>The insurer's claim report number (报案号) that the driver is shown. 1-64 letters, digits or '-'.</summary>
    public required string ClaimReportNumber { get; init; }

    public required DateTimeOffset AcknowledgedAt { get; init; }
}
