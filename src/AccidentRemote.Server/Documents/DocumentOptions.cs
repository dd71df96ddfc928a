using System.ComponentModel.DataAnnotations;

namespace AccidentRemote.Server.Documents;

/// <summary>Accident documents and their public verification. Section <c>Documents</c>.</summary>
public sealed class DocumentOptions
{
    public const string Section = "Documents";

    /// <summary>
    /// A TrueType font (.ttf, or the first face of a .ttc) with CJK glyphs, embedded (as a subset) in every document.
    /// The default is AR PL UMing, a Ming (宋体-style) serif face as official documents use, from Debian's package
    /// <c>fonts-arphic-uming</c>.
    /// </summary>
    public string FontPath { get; set; } = DefaultFontPath;

    /// <summary>
    /// A TrueType font for Latin letters and digits (plates, numbers): DejaVu Serif, from Debian's package
    /// <c>fonts-dejavu-core</c>, by default.
    /// </summary>
    public string LatinFontPath { get; set; } = DefaultLatinFontPath;

    /// <summary>English beside each Chinese label (for a centre that serves foreign drivers). Off: the document is Chinese, as the GA 40 template is.</summary>
    public bool EnglishLabels { get; set; }

    /// <summary>
    /// The number's prefix, before 〔year〕第……号: the issuing unit's abbreviation and the document kind, e.g. 京公交简认字 for
    /// Beijing's traffic police. Numbers run from 000001 each year (Beijing time).
    /// </summary>
    [RegularExpression(@"^[\u4e00-\u9fff]{2,20}$", ErrorMessage = "Documents:NumberPrefix must be 2 to 20 Chinese characters, e.g. 京公交简认字 (the unit's abbreviation and the document kind).")]
    public string NumberPrefix { get; set; } = "公交简认字";

    /// <summary>
    /// The issuing unit's seal (公章) as a PNG with a transparent background, printed over the unit's name at the foot of
    /// the document; empty for none (then the place for the seal shows （印章）).
    /// </summary>
    public string SealImagePath { get; set; } = "";

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

    public const string DefaultFontPath = "/usr/share/fonts/truetype/arphic/uming.ttc";
    public const string DefaultLatinFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf";

    /// <summary>The largest seal image accepted.</summary>
    public const int MaxSealBytes = 1024 * 1024;

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
            return $"Documents:FontPath {cjk} Install Debian's package fonts-arphic-uming (apt-get install fonts-arphic-uming).";
        }

        return FontFile.Check(o.LatinFontPath, requireCjk: false) is { } latin
            ? $"Documents:LatinFontPath {latin} Install Debian's package fonts-dejavu-core (apt-get install fonts-dejavu-core)."
            : null;
    }

    /// <summary>Says what is wrong with a seal image file ("… ."), or null when it will do.</summary>
    private static string? SealProblem(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            return $"'{path}' does not exist. Give the path of the unit's seal as a PNG, or leave it empty for none.";
        }

        if (file.Length > MaxSealBytes)
        {
            return $"'{path}' is larger than {MaxSealBytes / 1024} KiB; a seal of about 600x600 pixels is enough.";
        }

        Span<byte> magic = stackalloc byte[8];
        using (var stream = file.OpenRead())
        {
            if (stream.ReadAtLeast(magic, 8, throwOnEndOfStream: false) < 8 || !magic.SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
            {
                return $"'{path}' is not a PNG image; give the seal as a PNG with a transparent background.";
            }
        }

        return null;
    }

    /// <summary>Says what is wrong with the settings, or null when they are fine.</summary>
    public static string? Validate(DocumentOptions o)
    {
        var errors = new List<string>();
        var defaultsMissing = (o.FontPath == DefaultFontPath && !File.Exists(o.FontPath)) || (o.LatinFontPath == DefaultLatinFontPath && !File.Exists(o.LatinFontPath));
        // Missing default fonts are checked again when a document is issued (FontProblem); the rest of the service runs meanwhile.
        if (!defaultsMissing && FontFile.Check(o.FontPath, requireCjk: true) is { } cjk)
        {
            errors.Add($"Documents:FontPath {cjk} Install Debian's package fonts-arphic-uming (apt-get install fonts-arphic-uming), " +
                "or point Documents:FontPath to another TrueType font (.ttf or .ttc) with CJK glyphs.");
        }

        if (!defaultsMissing && FontFile.Check(o.LatinFontPath, requireCjk: false) is { } latin)
        {
            errors.Add($"Documents:LatinFontPath {latin} Install Debian's package fonts-dejavu-core (apt-get install fonts-dejavu-core), " +
                "or point Documents:LatinFontPath to another TrueType (.ttf) font with Latin letters and digits.");
        }

        if (!string.IsNullOrEmpty(o.SealImagePath) && SealProblem(o.SealImagePath) is { } seal)
        {
            errors.Add($"Documents:SealImagePath {seal}");
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
