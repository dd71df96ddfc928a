using System.Globalization;
using System.Text;
using static AccidentRemote.Server.Evidence.FileStructure;

namespace AccidentRemote.Server.Evidence;

/// <summary>The outcome of looking at an uploaded file's bytes.</summary>
public abstract record Inspection
{
    /// <summary>An accepted file; width and height are null for PDFs.</summary>
    public sealed record Accepted(string ContentType, int? Width, int? Height) : Inspection
    {
        public bool IsImage => ContentType != EvidenceInspector.Pdf;
    }

    /// <summary>
    /// A refused file: <paramref name="Code"/> is the message key in Resources/ServerMessages (the English text
    /// gives the technical facts in <paramref name="Args"/>, the Chinese one says what to do), read in the current language.
    /// </summary>
    public sealed record Refused(string Code, params object?[] Args) : Inspection
    {
        public string Title => ServerText.Get(Code + ".title", Args);

        public string Detail => ServerText.Find(Code + ".detail", Args) ?? "";
    }
}

/// <summary>
/// Decides what a file is from its bytes alone (never its name or declared type) and reads image
/// sizes from the headers, then decodes every image. The rules, in order:
/// <list type="number">
/// <item>The signature at offset 0 must be JPEG (<c>FF D8 FF</c>), PNG, WebP (<c>RIFF….WEBP</c>) or PDF (<c>%PDF-</c>).</item>
/// <item>Polyglots are refused: the first and last <see cref="ScanWindow"/> bytes must not contain markup
/// (<c>&lt;script</c>, <c>&lt;html</c>, <c>&lt;svg</c>, <c>&lt;body</c>, <c>&lt;iframe</c>, <c>&lt;!doctype</c>) or another
/// format's marker (<c>%PDF-</c>, ZIP <c>PK\3\4</c> / <c>PK\5\6</c>). Those windows are where browsers sniff (the
/// start) and where PDF and ZIP readers look (the start and the end). The whole file is not scanned because
/// in compressed image data a 4-byte marker would then turn up by chance in a few percent of large photos.</item>
/// <item>Structure: a PNG starts with IHDR and ends with IEND; a WebP's RIFF size equals the file size (nothing
/// appended); a PDF has <c>%%EOF</c> near its end and no active content (<c>/JavaScript</c>, <c>/JS</c>, <c>/Launch</c>,
/// <c>/EmbeddedFile</c>). A JPEG may have at most <see cref="MaxTrailingBytes"/> bytes after its end marker: phones append
/// motion-photo video there, and anyone can append anything, which would then be stored and sent on as evidence.</item>
/// <item>Images must state a width and height above zero, each side at most <see cref="EvidenceOptions.MaxSide"/>
/// and the area at most <see cref="EvidenceOptions.MaxPixels"/>: this stops decompression bombs before anyone decodes them.</item>
/// <item>Then every image is decoded in full (<see cref="ImageCodec"/>): a file whose pixels are cut off or broken is refused.</item>
/// </list>
/// </summary>
public static class EvidenceInspector
{
    public const string Jpeg = "image/jpeg";
    public const string Png = "image/png";
    public const string WebP = "image/webp";
    public const string Pdf = "application/pdf";

    /// <summary>How many bytes at each end of a file are searched for another format's markers.</summary>
    public const int ScanWindow = 8 * 1024;

    public const string Accepted = "Accepted are JPEG, PNG and WebP images and PDF documents; the type is read from the file's content, not from its name.";

    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly (string Marker, bool IgnoreCase)[] ForeignMarkers =
    [
        ("<script", true), ("<html", true), ("<svg", true), ("<body", true), ("<iframe", true), ("<!doctype", true),
        ("%PDF-", false), ("PK\u0003\u0004", false), ("PK\u0005\u0006", false),
    ];

    private static readonly string[] PdfActiveContent = ["/JavaScript", "/JS", "/Launch", "/EmbeddedFile"];

    public static string ExtensionFor(string contentType) => contentType switch
    {
        Jpeg => "jpg",
        Png => "png",
        WebP => "webp",
        _ => "pdf",
    };

    /// <summary>Inspects a seekable stream (the received file); the position is left anywhere.</summary>
    public static Inspection Inspect(Stream file, EvidenceOptions limits)
    {
        var length = file.Length;
        if (length == 0)
        {
            return new Inspection.Refused("Evidence.Empty", Accepted);
        }

        var head = ReadAt(file, 0, (int)Math.Min(ScanWindow, length));
        var tail = ReadAt(file, Math.Max(0, length - ScanWindow), (int)Math.Min(ScanWindow, length));

        string contentType;
        if (head.AsSpan().StartsWith(PngSignature))
        {
            contentType = Png;
        }
        else if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
        {
            contentType = Jpeg;
        }
        else if (head.Length >= 12 && Ascii(head, 0, 4) == "RIFF" && Ascii(head, 8, 4) == "WEBP")
        {
            contentType = WebP;
        }
        else if (head.Length >= 5 && Ascii(head, 0, 5) == "%PDF-")
        {
            contentType = Pdf;
        }
        else
        {
            return new Inspection.Refused("Evidence.Type", Describe(head), Accepted);
        }

        var name = Name(contentType);
        // A PDF starts with its own marker: search from offset 1 (also in the tail of a short file) so that a second one is still found.
        var skip = contentType == Pdf ? 1 : 0;
        var tailSkip = (int)Math.Max(0, skip - (length - tail.Length));
        foreach (var (window, where) in new[] { (head.AsMemory(skip), "start"), (tail.AsMemory(tailSkip), "end") })
        {
            if (FindForeignMarker(window.Span) is { } marker)
            {
                return new Inspection.Refused("Evidence.Polyglot", name, Printable(marker), where);
            }
        }

        var inspection = contentType switch
        {
            Png => CheckImage(contentType, ReadPng(head, tail), limits),
            WebP => CheckImage(contentType, ReadWebP(head, length), limits),
            Jpeg => CheckImage(contentType, ReadJpeg(file, length), limits),
            _ => CheckPdf(file, tail),
        };
        if (inspection is not Inspection.Accepted { IsImage: true } accepted)
        {
            return inspection;
        }

        if (contentType == Jpeg && JpegEnd(file, length) is var (end, problem))
        {
            if (problem is not null)
            {
                return new Inspection.Refused("Evidence.Damaged", "JPEG", problem);
            }

            if (length - end > MaxTrailingBytes)
            {
                return new Inspection.Refused("Evidence.Trailing", length - end);
            }
        }

        // The header alone says nothing of the pixels: a file cut in half still has a good header.
        return ImageCodec.Verify(file) is { } broken
            ? new Inspection.Refused("Evidence.Damaged", name, broken)
            : accepted;
    }

    /// <summary>Bytes a JPEG may have after its end marker (some encoders pad with a few zeros). More is another file riding along.</summary>
    public const int MaxTrailingBytes = 16;

    private static Inspection CheckImage(string contentType, ImageSize size, EvidenceOptions limits)
    {
        var name = Name(contentType);
        if (size.Problem is not null)
        {
            return new Inspection.Refused("Evidence.Damaged", name, size.Problem);
        }

        if (size.Width <= 0 || size.Height <= 0)
        {
            return new Inspection.Refused("Evidence.NoSize", name, size.Width, size.Height);
        }

        var pixels = (long)size.Width * size.Height;
        if (size.Width > limits.MaxSide || size.Height > limits.MaxSide || pixels > limits.MaxPixels)
        {
            return new Inspection.Refused("Evidence.TooLarge", name, size.Width, size.Height, (pixels / 1_000_000.0).ToString("0.#", CultureInfo.InvariantCulture),
                limits.MaxSide, (limits.MaxPixels / 1_000_000.0).ToString("0.#", CultureInfo.InvariantCulture));
        }

        return new Inspection.Accepted(contentType, size.Width, size.Height);
    }

    private static Inspection CheckPdf(Stream file, byte[] tail)
    {
        if (tail.AsSpan().IndexOf("%%EOF"u8) < 0)
        {
            return new Inspection.Refused("Evidence.PdfCut");
        }

        if (FindName(file, PdfActiveContent) is { } name)
        {
            return new Inspection.Refused("Evidence.PdfActive", name);
        }

        return new Inspection.Accepted(Pdf, null, null);
    }

    private static string? FindForeignMarker(ReadOnlySpan<byte> window)
    {
        foreach (var (marker, ignoreCase) in ForeignMarkers)
        {
            var bytes = Encoding.ASCII.GetBytes(marker);
            if (ignoreCase ? IndexOfIgnoreCase(window, bytes) >= 0 : window.IndexOf(bytes) >= 0)
            {
                return marker;
            }
        }

        return null;
    }

    /// <summary>A human name for content that is refused, so the message says what was actually sent.</summary>
    private static string Describe(byte[] head)
    {
        var text = Encoding.UTF8.GetString(head, 0, Math.Min(head.Length, 512)).TrimStart('\uFEFF', ' ', '\t', '\r', '\n').ToLowerInvariant();
        if (text.Contains("<svg", StringComparison.Ordinal))
        {
            return "an SVG drawing (SVG can carry scripts)";
        }

        if (text.StartsWith("<!doctype html", StringComparison.Ordinal) || text.Contains("<html", StringComparison.Ordinal) || text.Contains("<script", StringComparison.Ordinal))
        {
            return "an HTML page";
        }

        if (text.StartsWith('<'))
        {
            return "XML or markup";
        }

        if (head.Length >= 6 && Ascii(head, 0, 3) == "GIF")
        {
            return "a GIF image (convert it to PNG)";
        }

        if (head.Length >= 12 && Ascii(head, 4, 4) == "ftyp")
        {
            var brand = Ascii(head, 8, 4);
            return brand is "heic" or "heix" or "mif1" or "msf1" or "hevc"
                ? "a HEIC/HEIF photo (on an iPhone choose Settings > Camera > Formats > Most Compatible, or share the photo as JPEG)"
                : "a video or other ISO media file";
        }

        if (head.Length >= 4 && Ascii(head, 0, 2) == "PK")
        {
            return "a ZIP archive or office document (save it as PDF)";
        }

        return "not a recognised image or document";
    }

    private static string Name(string contentType) => contentType switch
    {
        Jpeg => "JPEG",
        Png => "PNG",
        WebP => "WebP",
        _ => "PDF",
    };

    private static string Printable(string marker) => marker.Replace("\u0003\u0004", "\\3\\4", StringComparison.Ordinal).Replace("\u0005\u0006", "\\5\\6", StringComparison.Ordinal);
}
