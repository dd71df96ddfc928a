using System.ComponentModel.DataAnnotations;

namespace AccidentRemote.Server.Evidence;

/// <summary>Where evidence files are kept and what is accepted. Section <c>Evidence</c>.</summary>
public sealed class EvidenceOptions
{
    public const string Section = "Evidence";

    /// <summary>Folder for the stored files (created at start). Relative paths are under the working directory.</summary>
    [Required(ErrorMessage = "Evidence:StoragePath is required: a folder the server may write to, e.g. 'data/evidence'.")]
    public string StoragePath { get; set; } = "data/evidence";

    /// <summary>Largest accepted file, in bytes (default 15 MB). Enforced while the upload is read.</summary>
    [Range(1024, 200L * 1024 * 1024, ErrorMessage = "Evidence:MaxBytes must be between 1024 (1 KB) and 209715200 (200 MB).")]
    public long MaxBytes { get; set; } = 15L * 1024 * 1024;

    /// <summary>Largest accepted image area, width × height (default 40 megapixels). This is what stops decompression bombs.</summary>
    [Range(1, 1_000_000_000, ErrorMessage = "Evidence:MaxPixels must be between 1 and 1000000000.")]
    public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>Longest accepted image side, in pixels.</summary>
    [Range(1, 65_535, ErrorMessage = "Evidence:MaxSide must be between 1 and 65535 pixels.")]
    public int MaxSide { get; set; } = 12_000;

    /// <summary>
    /// How long the signed evidence links sent with a claim stay valid (default 72 hours). Long enough for an insurer's
    /// system to fetch the files after a weekend; short, because the link needs no sign-in. Insurer staff see the
    /// files on the desk after that, signed in.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:01:00", "7.00:00:00", ErrorMessage = "Evidence:LinkLifetime must be between 1 minute and 7 days.")]
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromHours(72);

    /// <summary>Most items one party (one driver's token) or one officer may add to a case (default 40: a few dozen photos).</summary>
    [Range(1, 10_000, ErrorMessage = "Evidence:MaxItemsPerParty must be between 1 and 10000.")]
    public int MaxItemsPerParty { get; set; } = 40;

    /// <summary>Most bytes one party or one officer may add to a case (default 250 MB).</summary>
    [Range(1024, 100L * 1024 * 1024 * 1024, ErrorMessage = "Evidence:MaxBytesPerParty must be between 1024 and 107374182400 (100 GB).")]
    public long MaxBytesPerParty { get; set; } = 250L * 1024 * 1024;

    /// <summary>Most items of one case, everyone's together (default 150).</summary>
    [Range(1, 100_000, ErrorMessage = "Evidence:MaxItemsPerCase must be between 1 and 100000.")]
    public int MaxItemsPerCase { get; set; } = 150;

    /// <summary>Most bytes of one case, everyone's together (default 1 GB).</summary>
    [Range(1024, 1024L * 1024 * 1024 * 1024, ErrorMessage = "Evidence:MaxBytesPerCase must be between 1024 and 1099511627776 (1 TB).")]
    public long MaxBytesPerCase { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Uploads a minute from one client address (default 60; several phones may share a carrier's address).</summary>
    [Range(1, 100_000, ErrorMessage = "Evidence:UploadsPerMinutePerClient must be between 1 and 100000.")]
    public int UploadsPerMinutePerClient { get; set; } = 60;

    /// <summary>Uploads a minute from one party token or officer (default 20).</summary>
    [Range(1, 100_000, ErrorMessage = "Evidence:UploadsPerMinutePerParty must be between 1 and 100000.")]
    public int UploadsPerMinutePerParty { get; set; } = 20;

    /// <summary>Checks between settings, naming the setting to change.</summary>
    public static string? Validate(EvidenceOptions o) =>
        o.MaxBytesPerParty < o.MaxBytes ? "Evidence:MaxBytesPerParty must be at least Evidence:MaxBytes, or no file of the largest size could ever be added."
        : o.MaxBytesPerCase < o.MaxBytesPerParty ? "Evidence:MaxBytesPerCase must be at least Evidence:MaxBytesPerParty."
        : o.MaxItemsPerCase < o.MaxItemsPerParty ? "Evidence:MaxItemsPerCase must be at least Evidence:MaxItemsPerParty."
        : null;
}
