using System.Buffers.Binary;
using System.Text;

namespace AccidentRemote.Server.Evidence;

/// <summary>The outcome of looking at an uploaded file's bytes.</summary>
public abstract record Inspection
{
    /// <summary>An accepted file; width and height are null for PDFs.</summary>
    public sealed record Accepted(string ContentType, int? Width, int? Height) : Inspection
    {
        public bool IsImage => ContentType != EvidenceInspector.Pdf;
    }

    /// <summary>A refused file, with what was wrong and what is accepted.</summary>
    public sealed record Refused(string Title, string Detail) : Inspection;
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
    private static readonly byte[] PngIend = [0, 0, 0, 0, (byte)'I', (byte)'E', (byte)'N', (byte)'D', 0xAE, 0x42, 0x60, 0x82];

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
            return new Inspection.Refused("The file is empty.", "The upload contained 0 bytes. Choose the photo or document again and send it. " + Accepted);
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
            return new Inspection.Refused("This type of file is not accepted.", $"The content is {Describe(head)}. {Accepted}");
        }

        var name = Name(contentType);
        // A PDF starts with its own marker: search from offset 1 (also in the tail of a short file) so that a second one is still found.
        var skip = contentType == Pdf ? 1 : 0;
        var tailSkip = (int)Math.Max(0, skip - (length - tail.Length));
        foreach (var (window, where) in new[] { (head.AsMemory(skip), "start"), (tail.AsMemory(tailSkip), "end") })
        {
            if (FindForeignMarker(window.Span) is { } marker)
            {
                return new Inspection.Refused("The file contains another kind of content.",
                    $"This {name} also contains '{Printable(marker)}' near its {where}, as files built to be read as two different types do. " +
                    "Send the photo or document as the camera, screenshot tool or scanner saved it.");
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
                return new Inspection.Refused("The JPEG image is damaged.", $"{problem} Take or save the picture again and send the new file.");
            }

            if (length - end > MaxTrailingBytes)
            {
                return new Inspection.Refused("The photo carries other data after the image.",
                    $"It has {length - end} bytes after the end of the picture (phones put a motion-photo video or other files there). " +
                    "Send the still photo only: switch off Motion photo / Live Photo, or take a screenshot of the picture and send that.");
            }
        }

        // The header alone says nothing of the pixels: a file cut in half still has a good header.
        return ImageCodec.Verify(file) is { } broken
            ? new Inspection.Refused($"The {name} image is damaged.", $"{broken} Take or save the picture again and send the new file.")
            : accepted;
    }

    /// <summary>Bytes a JPEG may have after its end marker (some encoders pad with a few zeros). More is another file riding along.</summary>
    public const int MaxTrailingBytes = 16;

    /// <summary>
    /// Where a JPEG's end marker (EOI) ends: walks the segments, and through each scan's entropy-coded data
    /// (where <c>FF 00</c> is a data byte and <c>FF D0</c>–<c>FF D7</c> restart markers), so a progressive
    /// JPEG's several scans are followed too. Markers inside APPn segments (the EXIF thumbnail) are skipped by length.
    /// </summary>
    private static (long End, string? Problem) JpegEnd(Stream file, long length)
    {
        var stream = new BufferedStream(file, 64 * 1024);
        stream.Position = 2;
        Span<byte> two = stackalloc byte[2];
        var inScan = false;
        while (true)
        {
            int b = stream.ReadByte();
            if (b < 0)
            {
                return (length, "The JPEG has no end marker: the file is cut off.");
            }

            if (b != 0xFF)
            {
                if (inScan)
                {
                    continue;
                }

                return (length, "The JPEG's structure is broken.");
            }

            int marker;
            do
            {
                marker = stream.ReadByte();
            }
            while (marker == 0xFF);

            if (marker < 0)
            {
                return (length, "The JPEG has no end marker: the file is cut off.");
            }

            if (marker == 0x00 || marker is >= 0xD0 and <= 0xD7 || marker == 0x01)
            {
                continue; // a stuffed data byte, a restart marker, or TEM: still inside the scan
            }

            if (marker == 0xD9)
            {
                return (stream.Position, null);
            }

            if (stream.Read(two) < 2)
            {
                return (length, "The JPEG has no end marker: the file is cut off.");
            }

            var segment = BinaryPrimitives.ReadUInt16BigEndian(two);
            if (segment < 2 || stream.Position + segment - 2 > length)
            {
                return (length, "The JPEG has a segment that runs past the end of the file: it is cut off.");
            }

            stream.Position += segment - 2;
            inScan = marker == 0xDA;
        }
    }

    private sealed record Size(int Width, int Height, string? Problem = null);

    private static Inspection CheckImage(string contentType, Size size, EvidenceOptions limits)
    {
        var name = Name(contentType);
        if (size.Problem is not null)
        {
            return new Inspection.Refused($"The {name} image is damaged.", $"{size.Problem} Take or save the picture again and send the new file.");
        }

        if (size.Width <= 0 || size.Height <= 0)
        {
            return new Inspection.Refused($"The {name} image has no size.",
                $"Its header says {size.Width}x{size.Height} pixels; an image needs a width and height above 0. Take or save the picture again.");
        }

        var pixels = (long)size.Width * size.Height;
        if (size.Width > limits.MaxSide || size.Height > limits.MaxSide || pixels > limits.MaxPixels)
        {
            return new Inspection.Refused($"The {name} image is too large.",
                $"It is {size.Width}x{size.Height} pixels ({pixels / 1_000_000.0:0.#} megapixels). Accepted are images up to {limits.MaxSide} pixels on each side " +
                $"and {limits.MaxPixels / 1_000_000.0:0.#} megapixels in all; send a smaller photo (phone cameras' normal setting is fine).");
        }

        return new Inspection.Accepted(contentType, size.Width, size.Height);
    }

    private static Size ReadPng(byte[] head, byte[] tail)
    {
        // Signature, then the IHDR chunk: length 13, "IHDR", width and height (big-endian).
        if (head.Length < 24 || BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(8)) != 13 || Ascii(head, 12, 4) != "IHDR")
        {
            return new Size(0, 0, "The PNG does not start with its IHDR header, so its size cannot be read.");
        }

        if (!tail.AsSpan().EndsWith(PngIend))
        {
            return new Size(0, 0, "The PNG does not end with its IEND chunk: it is cut off or has data appended.");
        }

        return new Size(ClampToInt(BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(16))), ClampToInt(BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(20))));
    }

    private static Size ReadWebP(byte[] head, long length)
    {
        // "RIFF" size "WEBP", then the first chunk: VP8X (extended), VP8L (lossless) or "VP8 " (lossy).
        var riffSize = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(4));
        if (riffSize + 8L != length)
        {
            return new Size(0, 0, $"The WebP says it is {riffSize + 8L} bytes long but the file has {length}: it is cut off or has data appended.");
        }

        if (head.Length < 30)
        {
            return new Size(0, 0, "The WebP is too short to hold an image header.");
        }

        var chunk = Ascii(head, 12, 4);
        var data = head.AsSpan(20);
        switch (chunk)
        {
            case "VP8X":
                return new Size(1 + ReadUInt24(data[4..]), 1 + ReadUInt24(data[7..]));
            case "VP8L" when data[0] == 0x2F:
                var bits = BinaryPrimitives.ReadUInt32LittleEndian(data[1..]);
                return new Size((int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
            case "VP8 " when data[3] == 0x9D && data[4] == 0x01 && data[5] == 0x2A:
                return new Size(BinaryPrimitives.ReadUInt16LittleEndian(data[6..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(data[8..]) & 0x3FFF);
            default:
                return new Size(0, 0, "The WebP has no VP8, VP8L or VP8X image header, so its size cannot be read.");
        }
    }

    private static Size ReadJpeg(Stream file, long length)
    {
        // Walk the marker segments after SOI until a start-of-frame (SOFn) segment gives the size.
        var position = 2L;
        Span<byte> two = stackalloc byte[2];
        Span<byte> frame = stackalloc byte[5];
        while (position + 4 <= length)
        {
            file.Position = position;
            if (file.ReadByte() != 0xFF)
            {
                return new Size(0, 0, "The JPEG's structure is broken before its size is stated.");
            }

            int marker;
            do
            {
                marker = file.ReadByte();
            }
            while (marker == 0xFF);

            position = file.Position;
            if (marker is >= 0xD0 and <= 0xD7 or 0x01)
            {
                continue;
            }

            if (marker is 0xD9 or 0xDA or -1)
            {
                break;
            }

            file.ReadExactly(two);
            var segmentLength = BinaryPrimitives.ReadUInt16BigEndian(two);
            if (segmentLength < 2)
            {
                return new Size(0, 0, "The JPEG has a segment with an impossible length.");
            }

            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (segmentLength < 7 || position + 7 > length)
                {
                    return new Size(0, 0, "The JPEG's frame header is cut off.");
                }

                file.ReadExactly(frame);
                return new Size(BinaryPrimitives.ReadUInt16BigEndian(frame[3..]), BinaryPrimitives.ReadUInt16BigEndian(frame[1..]));
            }

            position += segmentLength;
        }

        return new Size(0, 0, "The JPEG has no frame header (SOF), so its size cannot be read.");
    }

    private static Inspection CheckPdf(Stream file, byte[] tail)
    {
        if (tail.AsSpan().IndexOf("%%EOF"u8) < 0)
        {
            return new Inspection.Refused("The PDF is incomplete.", "It does not end with %%EOF: the file is cut off. Save or scan the document again and send the new file.");
        }

        if (FindPdfActiveContent(file) is { } name)
        {
            return new Inspection.Refused("The PDF contains active content.",
                $"It contains '{name}' (scripts, launched programs or embedded files). Accepted are plain PDF documents: print it to PDF again or send a photo of the page.");
        }

        return new Inspection.Accepted(Pdf, null, null);
    }

    private static string? FindPdfActiveContent(Stream file)
    {
        // Read in blocks that overlap by the longest name, so a name across two blocks is still found.
        const int block = 64 * 1024;
        var overlap = PdfActiveContent.Max(n => n.Length);
        var buffer = new byte[block + overlap + 1];
        file.Position = 0;
        var carried = 0;
        int read;
        while ((read = file.Read(buffer, carried, block)) > 0)
        {
            var span = buffer.AsSpan(0, carried + read);
            foreach (var name in PdfActiveContent)
            {
                var bytes = Encoding.ASCII.GetBytes(name);
                var from = 0;
                int at;
                while ((at = span[from..].IndexOf(bytes)) >= 0)
                {
                    var end = from + at + bytes.Length;
                    // A name ends at a delimiter; "/JS" must not match "/JSomething".
                    if (end >= span.Length || !char.IsAsciiLetterOrDigit((char)span[end]))
                    {
                        return name;
                    }

                    from = end;
                }
            }

            carried = Math.Min(overlap, span.Length);
            span[^carried..].CopyTo(buffer);
        }

        return null;
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

    private static int IndexOfIgnoreCase(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> lowerNeedle)
    {
        for (var i = 0; i + lowerNeedle.Length <= haystack.Length; i++)
        {
            var j = 0;
            while (j < lowerNeedle.Length && ToLower(haystack[i + j]) == lowerNeedle[j])
            {
                j++;
            }

            if (j == lowerNeedle.Length)
            {
                return i;
            }
        }

        return -1;
    }

    private static byte ToLower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;

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

    private static int ReadUInt24(ReadOnlySpan<byte> b) => b[0] | (b[1] << 8) | (b[2] << 16);

    private static int ClampToInt(uint value) => value > int.MaxValue ? int.MaxValue : (int)value;

    private static string Ascii(byte[] bytes, int offset, int count) => Encoding.ASCII.GetString(bytes, offset, count);

    private static byte[] ReadAt(Stream file, long offset, int count)
    {
        var buffer = new byte[count];
        file.Position = offset;
        file.ReadExactly(buffer);
        return buffer;
    }
}
