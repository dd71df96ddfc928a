using System.ComponentModel.DataAnnotations;

namespace AccidentRemote.Server.Documents;

/// <summary>Accident documents and their public verification. Section <c>Documents</c>.</summary>
public sealed class DocumentOptions
{
    public const string Section = "Documents";

    /// <summary>
    /// A TrueType font with CJK glyphs, embedded (as a subset) in every document. Debian's
    /// package <c>fonts-droid-fallback</c> installs the default one.
    /// </summary>
    public string FontPath { get; set; } = DefaultFontPath;

    /// <summary>
    /// A TrueType font for Latin letters and digits (plates, numbers, the English labels): the
    /// CJK font above has none. Debian's package <c>fonts-dejavu-core</c> installs the default one.
    /// </summary>
    public string LatinFontPath { get; set; } = DefaultLatinFontPath;

    /// <summary>Where the public can reach this server; the QR code encodes <c>{PublicBaseUrl}/verify/{code}</c>.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The issuing authority printed on the document.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Documents:AuthorityName is required: the issuing authority printed on every document.")]
    public string AuthorityName { get; set; } = "公安机关交通管理部门 远程事故处理中心";

    /// <summary>Largest PDF accepted by the public upload on the verification page.</summary>
    [Range(64 * 1024, 64 * 1024 * 1024, ErrorMessage = "Documents:MaxUploadBytes must be between 64 KiB and 64 MiB.")]
    public long MaxUploadBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Uploads for checking a PDF allowed from one client address per minute.</summary>
    [Range(1, 100_000)]
    public int UploadsPerMinutePerAddress { get; set; } = 10;

    /// <summary>Verification look-ups (page or JSON) allowed from one client address per minute.</summary>
    [Range(1, 100_000)]
    public int LookupsPerMinutePerAddress { get; set; } = 120;

    /// <summary>The verification URL for a code, as printed and encoded in the QR code.</summary>
    public string VerificationUrl(string code) => $"{PublicBaseUrl.TrimEnd('/')}/verify/{code}";

    public const string DefaultFontPath = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf";
    public const string DefaultLatinFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    /// <summary>
    /// Why documents cannot be made with the fonts as they are, or null. The default fonts missing
    /// (a fresh machine without the Debian packages) does not stop the server: everything else
    /// works, and issuing a document answers 503 with this message. A font that was configured
    /// explicitly and is wrong stops the start (<see cref="Validate"/>).
    /// </summary>
    public static string? FontProblem(DocumentOptions o)
    {
        if (FontFile.Check(o.FontPath, requireCjk: true) is { } cjk)
        {
            return $"Documents:FontPath {cjk} Install Debian's package fonts-droid-fallback (apt-get install fonts-droid-fallback).";
        }

        return FontFile.Check(o.LatinFontPath, requireCjk: false) is { } latin
            ? $"Documents:LatinFontPath {latin} Install Debian's package fonts-dejavu-core (apt-get install fonts-dejavu-core)."
            : null;
    }

    /// <summary>Says what is wrong with the settings, or null when they are fine.</summary>
    public static string? Validate(DocumentOptions o)
    {
        var errors = new List<string>();
        var defaultsMissing = (o.FontPath == DefaultFontPath && !File.Exists(o.FontPath)) || (o.LatinFontPath == DefaultLatinFontPath && !File.Exists(o.LatinFontPath));
        // Missing default fonts are checked again when a document is issued (FontProblem); the rest of the service runs meanwhile.
        if (!defaultsMissing && FontFile.Check(o.FontPath, requireCjk: true) is { } cjk)
        {
            errors.Add($"Documents:FontPath {cjk} Install Debian's package fonts-droid-fallback (apt-get install fonts-droid-fallback), " +
                "or point Documents:FontPath to another TrueType (.ttf) font with CJK glyphs.");
        }

        if (!defaultsMissing && FontFile.Check(o.LatinFontPath, requireCjk: false) is { } latin)
        {
            errors.Add($"Documents:LatinFontPath {latin} Install Debian's package fonts-dejavu-core (apt-get install fonts-dejavu-core), " +
                "or point Documents:LatinFontPath to another TrueType (.ttf) font with Latin letters and digits.");
        }

        if (!Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            errors.Add($"Documents:PublicBaseUrl '{o.PublicBaseUrl}' must be an absolute http(s) URL without query, e.g. https://accident.example.org; " +
                "the QR code on each document points to {PublicBaseUrl}/verify/{code}.");
        }

        return errors.Count == 0 ? null : string.Join(" ", errors);
    }
}
