namespace AccidentRemote.Server.Evidence;

/// <summary>What an evidence item is. A screenshot is taken by the officer from a party's video.</summary>
public static class EvidenceKind
{
    public const string Screenshot = "screenshot";
    public const string Photo = "photo";
    public const string Document = "document";

    public static readonly IReadOnlyList<string> Values = [Screenshot, Photo, Document];
}

/// <summary>
/// What an item shows: the angles an officer asks for (the same names as the <c>Instruction</c> event's
/// <c>angle</c>), and the driver page's standard shots taken while queued (<c>front</c>, <c>rear</c>,
/// <c>collision-point</c>, <c>panorama</c>, <c>plates</c>).
/// </summary>
public static class EvidenceAngle
{
    public static readonly IReadOnlyList<string> Values = ["both-cars", "collision-point", "plates", "panorama", "licence", "registration", "front", "rear"];
}

/// <summary>An evidence item as the API returns it.</summary>
public sealed record EvidenceItem(
    Guid Id,
    Guid CaseId,
    Guid? PartyId,
    string Kind,
    string? Angle,
    string ContentType,
    long Size,
    int? Width,
    int? Height,
    string Sha256,
    string CapturedBy,
    DateTimeOffset CapturedAt,
    double? Latitude,
    double? Longitude);

/// <summary>Row shape read with Dapper.</summary>
public sealed class EvidenceRow
{
    public Guid Id { get; set; }

    public Guid CaseId { get; set; }

    public Guid? PartyId { get; set; }

    public string Kind { get; set; } = "";

    public string? Angle { get; set; }

    public string ContentType { get; set; } = "";

    public long Size { get; set; }

    public int? Width { get; set; }

    public int? Height { get; set; }

    public string Sha256 { get; set; } = "";

    public string CapturedBy { get; set; } = "";

    public DateTimeOffset CapturedAt { get; set; }

    public double? Latitude { get; set; }

    public double? Longitude { get; set; }

    public EvidenceItem ToItem() =>
        new(Id, CaseId, PartyId, Kind, Angle, ContentType, Size, Width, Height, Sha256, CapturedBy, CapturedAt, Latitude, Longitude);
}

/// <summary>What access checks need to know about a case.</summary>
public sealed record CaseAccess(Guid CaseId, string Status, Guid? OfficerId, IReadOnlyList<Guid> PartyIds);

/// <summary>
/// The clean copy of an image item that is served outside the police: re-encoded pixels without EXIF or other
/// metadata, with its own hash, tied to the hash of the original it was made from.
/// </summary>
public sealed class EvidenceCopyRow
{
    public Guid EvidenceId { get; set; }

    public string Sha256 { get; set; } = "";

    public string OriginalSha256 { get; set; } = "";

    public string ContentType { get; set; } = "";

    public long Size { get; set; }

    public int Width { get; set; }

    public int Height { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>How much evidence a case holds, and how much of it one uploader added.</summary>
public sealed record EvidenceUsage(int CaseItems, long CaseBytes, int UploaderItems, long UploaderBytes);

/// <summary>
/// Which evidence an insurer receives. Scene evidence (the cars, the collision point, the plates, the panorama,
/// and screenshots or photos with no angle) goes to every insurer of the case; a party's documents (licence,
/// registration, and anything of kind <c>document</c>) only to that party's own insurer, never to the other's.
/// PDFs are not sent at all: a PDF cannot be cleaned of its metadata the way an image is re-encoded, so it
/// stays with the police.
/// </summary>
public static class EvidenceSharing
{
    public static readonly IReadOnlyList<string> PersonalAngles = ["licence", "registration"];

    public static bool IsPersonal(string kind, string? angle) =>
        kind == EvidenceKind.Document || (angle is not null && PersonalAngles.Contains(angle));

    /// <summary>Whether the insurer of <paramref name="insuredPartyId"/> may receive this item (as its clean copy).</summary>
    public static bool IsForInsurerOf(Guid insuredPartyId, string kind, string? angle, Guid? itemPartyId, string contentType) =>
        contentType != EvidenceInspector.Pdf && (!IsPersonal(kind, angle) || itemPartyId == insuredPartyId);
}
