namespace AccidentRemote.Contracts.Claims;

/// <summary>
/// A claim for one party of a closed accident case, sent to that party's insurer.
/// Published as plain JSON (camelCase, <c>application/json</c>) on the direct exchange
/// <see cref="ClaimsWire.Exchange"/> with routing key = <see cref="InsurerCode"/>; the AMQP
/// <c>message_id</c> is <see cref="ClaimId"/> and stays the same across retries.
/// </summary>
public sealed record ClaimSubmitted
{
    /// <summary>Version of this schema; readers must reject versions they do not know.</summary>
    public int SchemaVersion { get; init; } = ClaimsWire.SchemaVersion;

    /// <summary>Stable id of this claim; equals the AMQP message_id. Use it to drop duplicates.</summary>
    public required Guid ClaimId { get; init; }

    public required Guid CaseId { get; init; }

    /// <summary>Human-readable case number, e.g. <c>AR261128-7KQ2</c>.</summary>
    public required string CaseNumber { get; init; }

    /// <summary>Code of the insurer this claim is for (the routing key).</summary>
    public required string InsurerCode { get; init; }

    public required DateTimeOffset AccidentTime { get; init; }

    public required DateTimeOffset ReportedAt { get; init; }

    public required DateTimeOffset ClosedAt { get; init; }

    public required ClaimLocation Location { get; init; }

    /// <summary>The party insured by <see cref="InsurerCode"/>, with full contact data.</summary>
    public required InsuredParty Insured { get; init; }

    /// <summary>The other vehicles of the accident, without personal contact data.</summary>
    public required IReadOnlyList<OtherParty> OtherParties { get; init; }

    /// <summary>Weather as written in the accident document (晴, 雨, …).</summary>
    public string? Weather { get; init; }

    /// <summary>The scenario the officer chose for liability (rear-end, lane-change, …) and the facts as written.</summary>
    public string? LiabilityScenario { get; init; }

    public string? Facts { get; init; }

    /// <summary>The signed accident document; fetch and check it at <see cref="ClaimDocument.VerifyUrl"/>.</summary>
    public ClaimDocument? Document { get; init; }

    /// <summary>Photos, screenshots and documents of the case with their SHA-256 and signed, expiring links.</summary>
    public IReadOnlyList<ClaimEvidence> Evidence { get; init; } = [];

    /// <summary>Patterns worth a second look (repeat plates, late report, …). Signals, not verdicts.</summary>
    public IReadOnlyList<ClaimFraudSignal> FraudSignals { get; init; } = [];
}

/// <summary>The signed 道路交通事故认定书 of the case.</summary>
public sealed record ClaimDocument(string Number, int Version, string VerificationCode, string VerifyUrl, string Sha256);

/// <summary>
/// One evidence item: check the downloaded bytes against <see cref="Sha256"/>. The link needs no sign-in, works for
/// this claim only and expires at <see cref="UrlExpiresAt"/>. The file is the police's clean copy of the original
/// (re-encoded, without EXIF or other metadata; <see cref="ContentType"/> and <see cref="Sha256"/> are the copy's);
/// <see cref="OriginalSha256"/> is the hash of the original the police keep, which a court or the police can produce.
/// A claim carries the scene evidence and the insured party's own documents, never another party's.
/// </summary>
public sealed record ClaimEvidence(Guid Id, string Kind, string? Angle, int? PartyNumber, string ContentType, string Sha256, DateTimeOffset CapturedAt, string Url, DateTimeOffset UrlExpiresAt,
    string? OriginalSha256 = null);

/// <summary>A fraud signal: a stable code (repeat-plate, repeat-pair, late-report, far-from-place) and what was seen.</summary>
public sealed record ClaimFraudSignal(string Code, string Description, IReadOnlyDictionary<string, string>? Facts = null);

/// <summary>Where the accident happened: coordinates (WGS-84) and/or a typed address.</summary>
public sealed record ClaimLocation(double? Latitude, double? Longitude, string? Address);

/// <summary>The insured vehicle and its driver, with the driver's personal data (sent only to this vehicle's insurer).</summary>
public sealed record InsuredParty(
    int PartyNumber,
    string Plate,
    string VehicleType,
    string? PolicyNumber,
    string Phone,
    string Liability,
    string? Name = null,
    string? IdNumber = null);

/// <summary>Another vehicle of the accident, as the insurer needs it for liability and recovery.</summary>
public sealed record OtherParty(
    int PartyNumber,
    string Plate,
    string VehicleType,
    string? InsurerCode,
    string Liability);

/// <summary>Names on the broker that insurers depend on. Changing one is a breaking change.</summary>
public static class ClaimsWire
{
    /// <summary>Current version of <see cref="ClaimSubmitted"/>.</summary>
    public const int SchemaVersion = 1;

    /// <summary>Durable direct exchange that claims are published to.</summary>
    public const string Exchange = "accidentremote.claims";

    /// <summary>The durable (quorum) queue an insurer reads its claims from.</summary>
    public static string QueueFor(string insurerCode) => $"claims.{insurerCode}";

    /// <summary>Durable direct exchange insurers publish <see cref="ClaimAcknowledged"/> to, routing key = their code.</summary>
    public const string AcksExchange = "accidentremote.claim-acks";

    /// <summary>The server's queue of acknowledgements (bound to <see cref="AcksExchange"/> for every insurer).</summary>
    public const string AcksQueue = "accidentremote.claim-acks.server";

    /// <summary>Where claims go that an insurer's consumer rejected or that failed too often.</summary>
    public const string DeadLetterExchange = "accidentremote.claims.dead";

    /// <summary>The dead-letter queue of one insurer's claims, bound to <see cref="DeadLetterExchange"/> with its code.</summary>
    public static string DeadLetterQueueFor(string insurerCode) => $"claims.{insurerCode}.dead";

    /// <summary>How often a quorum queue redelivers a claim before dead-lettering it.</summary>
    public const int DeliveryLimit = 5;

    /// <summary>The broker user of an insurer (its AMQP user_id on acknowledgements).</summary>
    public static string BrokerUserFor(string insurerCode) => $"insurer-{insurerCode}";
}
