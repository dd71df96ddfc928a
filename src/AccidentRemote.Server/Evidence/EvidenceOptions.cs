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
}
