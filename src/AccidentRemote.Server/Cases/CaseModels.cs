namespace AccidentRemote.Server.Cases;

/// <summary>Case states as stored and shown; <see cref="CaseStateMachine"/> says how they connect.</summary>
public static class CaseStatus
{
    public const string Reported = "reported";
    public const string Queued = "queued";
    public const string InCall = "in_call";
    public const string VehiclesMoved = "vehicles_moved";
    public const string LiabilityDetermined = "liability_determined";
    public const string AwaitingSignatures = "awaiting_signatures";
    public const string Closed = "closed";
    public const string Escalated = "escalated";
    public const string Abandoned = "abandoned";

    /// <summary>States in which another party may still join.</summary>
    public static readonly IReadOnlyList<string> Joinable = [Queued, InCall, VehiclesMoved];

    /// <summary>States in which an officer is with the parties.</summary>
    public static readonly IReadOnlyList<string> InHand = [InCall, VehiclesMoved, LiabilityDetermined, AwaitingSignatures];
}

public static class Liability
{
    public static readonly IReadOnlyList<string> Values = ["full", "main", "equal", "minor", "none", "undetermined"];
}

public sealed record TriageInput(bool? AnyoneInjured, bool? VehiclesDrivable, bool? HazardousGoods);

/// <summary>A driver's first report of an accident.</summary>
public sealed record ReportRequest(
    string? Phone,
    string? Plate,
    string? VehicleType,
    string? InsurerCode,
    string? PolicyNumber,
    double? Latitude,
    double? Longitude,
    string? Address,
    DateTimeOffset? AccidentTime,
    int? NumberOfParties,
    TriageInput? Triage,
    string? OtherPlate = null,
    double? DeviceLatitude = null,
    double? DeviceLongitude = null,
    ConsentInput? Consent = null);

/// <summary>
/// The driver's agreement to the privacy notice shown before anything is captured: the notice's
/// version (GET /api/privacy/notice) and the language it was read in. Required on report and join.
/// </summary>
public sealed record ConsentInput(string? NoticeVersion, string? Language, bool? Agreed);

/// <summary>A consent as stored with the party: what was agreed to, in which language, when the server received it.</summary>
public sealed record PartyConsent(string NoticeVersion, string Language, DateTimeOffset At);

/// <summary>Another driver joining an existing case with its join code.</summary>
public sealed record JoinRequest(
    string? JoinCode,
    string? Phone,
    string? Plate,
    string? VehicleType,
    string? InsurerCode,
    string? PolicyNumber,
    double? DeviceLatitude = null,
    double? DeviceLongitude = null,
    string? JoinSecret = null,
    ConsentInput? Consent = null);

public sealed record ReportResponse(
    Guid CaseId,
    string CaseNumber,
    string Status,
    Guid PartyId,
    int PartyNumber,
    string PartyToken,
    string? JoinCode,
    bool Escalated,
    string? Advice,
    bool MatchedExistingCase = false,
    string? JoinSecret = null,
    bool PossibleDuplicate = false);

public sealed record JoinResponse(Guid CaseId, string CaseNumber, string Status, Guid PartyId, int PartyNumber, string PartyToken);

/// <summary>
/// The officer's liability decision. Send <c>parties</c> with each share, or only
/// <c>atFaultPartyId</c> to take the scenario's suggested split.
/// </summary>
public sealed record LiabilityRequest(string? Scenario, Guid? AtFaultPartyId, string? Facts, IReadOnlyList<PartyLiabilityInput>? Parties);

/// <summary>Why a case goes to an on-scene officer or is given up.</summary>
public sealed record ReasonRequest(string? Reason, string? Note);

public sealed record PartyLiabilityInput(Guid? PartyId, string? Liability);

/// <summary>A party's vehicle data after validation and normalisation.</summary>
public sealed record VehicleData(string Phone, string Plate, string VehicleType, string? InsurerCode, string? PolicyNumber, string? OtherPlate = null,
    double? DeviceLatitude = null, double? DeviceLongitude = null, PartyConsent? Consent = null);

/// <summary>Row shapes read with Dapper (classes: Dapper converts column types for properties, not for constructors).</summary>
public sealed class CaseRow
{
    public Guid Id { get; set; }
    public string CaseNumber { get; set; } = "";
    public string Status { get; set; } = "";
    public string? JoinCode { get; set; }
    public int ExpectedParties { get; set; }
    public DateTimeOffset AccidentTime { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public string? Address { get; set; }
    public int AnyoneInjured { get; set; }
    public int VehiclesDrivable { get; set; }
    public int HazardousGoods { get; set; }
    public string? EscalationReason { get; set; }
    public Guid? OfficerId { get; set; }
    public DateTimeOffset ReportedAt { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public DateTimeOffset? VehiclesMovedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public DateTimeOffset? EscalatedAt { get; set; }
    public string? LiabilityScenario { get; set; }
    public string? Facts { get; set; }
    public string? Weather { get; set; }
    public string? MediationResult { get; set; }
    public string? JoinSelector { get; set; }
    public string? JoinSecret { get; set; }
    public int JoinFailures { get; set; }
    public DateTimeOffset? JoinLockedAt { get; set; }
    public string? AbandonReason { get; set; }

    /// <summary>The W3C traceparent of the report request (Telemetry.Tracing), for the close's span link; never sent to clients.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? ReportTraceparent { get; set; }
}

public sealed class PartyRow
{
    public Guid Id { get; set; }
    public Guid CaseId { get; set; }
    public int PartyNumber { get; set; }
    public string Phone { get; set; } = "";
    public string Plate { get; set; } = "";
    public string VehicleType { get; set; } = "";
    public string? InsurerCode { get; set; }
    public string? PolicyNumber { get; set; }
    public string? Liability { get; set; }
    public DateTimeOffset JoinedAt { get; set; }
    public string? OtherPlate { get; set; }
    public string? Name { get; set; }
    public string? IdNumber { get; set; }
    public double? DeviceLatitude { get; set; }
    public double? DeviceLongitude { get; set; }

    public string? ConsentVersion { get; set; }

    public string? ConsentLanguage { get; set; }

    public DateTimeOffset? ConsentedAt { get; set; }
}

public sealed record CaseDetails(CaseRow Case, IReadOnlyList<PartyRow> Parties);

public sealed record CaseView(
    Guid Id,
    string CaseNumber,
    string Status,
    string? JoinCode,
    int ExpectedParties,
    DateTimeOffset AccidentTime,
    LocationView Location,
    TriageView Triage,
    string? EscalationReason,
    Guid? OfficerId,
    string? LiabilityScenario,
    string? Facts,
    CaseTimes Times,
    IReadOnlyList<PartyView> Parties,
    string? AbandonReason = null);

public sealed record LocationView(double? Latitude, double? Longitude, string? Address);

public sealed record TriageView(bool AnyoneInjured, bool VehiclesDrivable, bool HazardousGoods);

public sealed record CaseTimes(DateTimeOffset ReportedAt, DateTimeOffset? AnsweredAt, DateTimeOffset? VehiclesMovedAt, DateTimeOffset? ClosedAt, DateTimeOffset? EscalatedAt);

public sealed record PartyView(Guid Id, int PartyNumber, string Plate, string VehicleType, string? InsurerCode, string? PolicyNumber, string? Phone, string? Liability, DateTimeOffset JoinedAt, string? Name, string? IdNumber,
    string? CompulsoryInsurance = null, string? CompulsoryConflict = null, PartyConsent? Consent = null);

public sealed record QueueItem(Guid CaseId, string CaseNumber, DateTimeOffset ReportedAt, int WaitingSeconds, int PartiesJoined, int ExpectedParties, string? Address,
    IReadOnlyList<string>? PossibleDuplicateOf = null);

/// <summary>Where a waiting case stands: 1 = next to be answered.</summary>
public sealed record QueuePositionView(Guid CaseId, int Position, int ExpectedWaitSeconds);

/// <summary>A party's 1-5 rating of how its case was handled, with an optional comment.</summary>
public sealed record SatisfactionRequest(int? Rating, string? Comment);
