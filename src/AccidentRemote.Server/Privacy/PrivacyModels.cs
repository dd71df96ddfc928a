using AccidentRemote.Server.Cases;

namespace AccidentRemote.Server.Privacy;

/// <summary>Everything held about one person: each party they were, with its case, evidence and documents (metadata), consent, claims and audit entries.</summary>
public sealed record PersonExport(DateTimeOffset ExportedAt, string FoundBy, IReadOnlyList<ExportCase> Cases);

public sealed record ExportCase(
    ExportParty Party, PartyConsent? Consent, ExportCaseRow Case, IReadOnlyList<ExportEvidence> Evidence, IReadOnlyList<ExportDocument> Documents,
    IReadOnlyList<ExportSignature> Signatures, IReadOnlyList<ExportClaim> Claims, IReadOnlyList<ExportAudit> AuditEntries);

/// <summary>A supervisor's export request: exactly one of the two.</summary>
public sealed record ExportRequest(string? Phone, string? IdNumber);

/// <summary>Row shapes read with Dapper (classes with setters).</summary>
public sealed class ExportParty
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

    public int? SatisfactionRating { get; set; }

    public string? SatisfactionComment { get; set; }

    public DateTimeOffset? RatedAt { get; set; }

    public string? ConsentVersion { get; set; }

    public string? ConsentLanguage { get; set; }

    public DateTimeOffset? ConsentedAt { get; set; }

    public DateTimeOffset? PersonalDataRemovedAt { get; set; }
}

public sealed class ExportCaseRow
{
    public Guid Id { get; set; }

    public string CaseNumber { get; set; } = "";

    public string Status { get; set; } = "";

    public DateTimeOffset AccidentTime { get; set; }

    public double? Latitude { get; set; }

    public double? Longitude { get; set; }

    public string? Address { get; set; }

    public DateTimeOffset ReportedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public DateTimeOffset? EscalatedAt { get; set; }

    public string? LiabilityScenario { get; set; }

    public string? Facts { get; set; }
}

public sealed class ExportEvidence
{
    public Guid Id { get; set; }

    public Guid? PartyId { get; set; }

    public string Kind { get; set; } = "";

    public string? Angle { get; set; }

    public string ContentType { get; set; } = "";

    public long Size { get; set; }

    public string Sha256 { get; set; } = "";

    public string CapturedBy { get; set; } = "";

    public DateTimeOffset CapturedAt { get; set; }

    public double? Latitude { get; set; }

    public double? Longitude { get; set; }

    public DateTimeOffset? FilePurgedAt { get; set; }
}

public sealed class ExportDocument
{
    public Guid Id { get; set; }

    public string Number { get; set; } = "";

    public int Version { get; set; }

    public string Status { get; set; } = "";

    public string Sha256 { get; set; } = "";

    public DateTimeOffset IssuedAt { get; set; }
}

public sealed class ExportSignature
{
    public int DocumentVersion { get; set; }

    public DateTimeOffset SignedAt { get; set; }

    public string Sha256 { get; set; } = "";
}

public sealed class ExportClaim
{
    public Guid Id { get; set; }

    public string InsurerCode { get; set; } = "";

    public string Status { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    public DateTimeOffset? AcknowledgedAt { get; set; }

    public string? ClaimReportNumber { get; set; }
}

public sealed class ExportAudit
{
    public long Seq { get; set; }

    public DateTimeOffset At { get; set; }

    public string Actor { get; set; } = "";

    public string Kind { get; set; } = "";

    public string? Detail { get; set; }
}
