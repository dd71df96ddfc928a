using System.Globalization;
using System.Text;
using AccidentRemote.Server.Evidence;

namespace AccidentRemote.Tests.Evidence;

/// <summary>The content rules on their own: what a file is, how big its image is, and what is refused.</summary>
public sealed class EvidenceInspectorTests
{
    /// <summary>A refusal's text in English (it is read in the current UI culture; the assertions are in English).</summary>
    private static string En(Func<string> text)
    {
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en");
        try
        {
            return text();
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    private static readonly EvidenceOptions Limits = new();

    private static Inspection Inspect(byte[] bytes) => EvidenceInspector.Inspect(new MemoryStream(bytes), Limits);

    public static TheoryData<string, byte[], string, int, int> Images => new()
    {
        { "PNG", TestFiles.Png(3, 2), EvidenceInspector.Png, 3, 2 },
        { "JPEG", TestFiles.Jpeg(40, 24), EvidenceInspector.Jpeg, 40, 24 },
        { "JPEG with metadata before the frame header", TestFiles.Jpeg(4032, 3024, app1: new byte[30_000]), EvidenceInspector.Jpeg, 4032, 3024 },
        { "lossless WebP", TestFiles.WebPLossless(), EvidenceInspector.WebP, 1, 1 },
        { "lossy WebP", TestFiles.WebPLossy(), EvidenceInspector.WebP, 1, 1 },
        { "extended WebP", TestFiles.WebPExtended(4000, 3000), EvidenceInspector.WebP, 4000, 3000 },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void An_image_is_recognised_by_its_bytes_and_its_size_read_from_the_header(string what, byte[] bytes, string contentType, int width, int height)
    {
        var accepted = Assert.IsType<Inspection.Accepted>(Inspect(bytes));
        Assert.Equal(contentType, accepted.ContentType);
        Assert.Equal((width, height), (accepted.Width, accepted.Height));
        Assert.NotEmpty(what);
    }

    [Fact]
    public void A_plain_PDF_is_accepted_without_a_size()
    {
        var accepted = Assert.IsType<Inspection.Accepted>(Inspect(TestFiles.Pdf()));
        Assert.Equal(EvidenceInspector.Pdf, accepted.ContentType);
        Assert.Null(accepted.Width);
    }

    public static TheoryData<string, byte[], string> Refused => new()
    {
        { "SVG", TestFiles.Svg(), "SVG" },
        { "HTML", TestFiles.Html(), "HTML" },
        { "HEIC", Encoding.ASCII.GetBytes("\0\0\0\u0018ftypheic\0\0\0\0mif1heic").Concat(new byte[64]).ToArray(), "Most Compatible" },
        { "PNG with a script appended", TestFiles.Append(TestFiles.Png(2, 2), "<script>alert(1)</script>"), "'<script'" },
        { "PNG with a ZIP appended", TestFiles.Append(TestFiles.Png(2, 2), "PK\u0005\u0006" + new string('\0', 18)), "PK" },
        { "JPEG with HTML in its metadata", TestFiles.Jpeg(8, 8, app1: Encoding.ASCII.GetBytes("Exif\0\0<HTML><body>hi")), "'<html'" },
        { "JPEG with a PDF inside its start", TestFiles.Jpeg(8, 8, app1: Encoding.ASCII.GetBytes("%PDF-1.4 1 0 obj")), "'%PDF-'" },
        { "PDF with JavaScript", TestFiles.Pdf("/OpenAction << /S /JavaScript /JS (app.alert(1)) >> "), "/JavaScript" },
        { "PDF cut off", TestFiles.Pdf()[..200], "%%EOF" },
        { "PNG 100000x100000", TestFiles.PngHeaderOnly(100_000, 100_000), "100000x100000" },
        { "PNG one side over 12000", TestFiles.PngHeaderOnly(12_001, 10), "12000 pixels on each side" },
        { "PNG of 0 width", TestFiles.PngHeaderOnly(0, 10), "0x10" },
        { "JPEG without a frame header", TestFiles.Jpeg(8, 8)[..20].Concat(new byte[] { 0xFF, 0xD9 }).ToArray(), "no frame header" },
        { "WebP with data appended", TestFiles.Append(TestFiles.WebPLossless(), "xx"), "appended" },
        { "empty", [], "empty" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_file_that_is_not_a_plain_image_or_PDF_is_refused_saying_why(string what, byte[] bytes, string expected)
    {
        var refused = Assert.IsType<Inspection.Refused>(Inspect(bytes));
        Assert.Contains(expected, En(() => refused.Title) + " " + En(() => refused.Detail), StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(what);
    }

    [Fact]
    public void Markers_deep_inside_an_image_are_not_searched_for_so_compressed_data_is_not_refused_by_chance()
    {
        // The rule covers the first and last ScanWindow bytes only (see EvidenceInspector).
        var app1 = new byte[3 * EvidenceInspector.ScanWindow];
        Encoding.ASCII.GetBytes("<svg").CopyTo(app1, EvidenceInspector.ScanWindow + 100);
        Assert.IsType<Inspection.Accepted>(Inspect(TestFiles.Jpeg(8, 8, app1)));
    }

    [Fact]
    public void The_pixel_limit_follows_the_setting()
    {
        var small = new EvidenceOptions { MaxPixels = 100 };
        Assert.IsType<Inspection.Accepted>(EvidenceInspector.Inspect(new MemoryStream(TestFiles.Png(10, 10)), small));
        var refused = Assert.IsType<Inspection.Refused>(EvidenceInspector.Inspect(new MemoryStream(TestFiles.Png(11, 10)), small));
        Assert.Contains("11x10", En(() => refused.Detail), StringComparison.Ordinal);
    }

    [Fact]
    public void A_JPEG_cut_at_half_its_length_is_refused()
    {
        var photo = TestFiles.PhotoJpeg(320, 240);
        Assert.IsType<Inspection.Accepted>(Inspect(photo));
        var refused = Assert.IsType<Inspection.Refused>(Inspect(photo[..(photo.Length / 2)]));
        Assert.Contains("cut off", En(() => refused.Detail), StringComparison.Ordinal);
    }

    [Fact]
    public void The_decoder_itself_reports_a_JPEG_cut_at_half_as_incomplete()
    {
        // The structural walk refuses a missing end marker first; the full decode is the second, independent check.
        var photo = TestFiles.PhotoJpeg(320, 240);
        Assert.Null(ImageCodec.Verify(new MemoryStream(photo)));
        Assert.Contains("cut off", ImageCodec.Verify(new MemoryStream(photo[..(photo.Length / 2)])), StringComparison.Ordinal);
    }

    [Fact]
    public void A_PNG_whose_pixel_data_is_cut_but_whose_chunks_are_whole_is_refused_by_decoding_it()
    {
        // Rows for 64x64 RGB, but only the first half of them compressed: every chunk and CRC is right.
        var rows = new byte[64 * (1 + 64 * 3)];
        new Random(3).NextBytes(rows);
        for (var y = 0; y < 64; y++)
        {
            rows[y * (1 + 64 * 3)] = 0;
        }

        Assert.IsType<Inspection.Accepted>(Inspect(TestFiles.PngFromRows(64, 64, 2, rows)));
        var refused = Assert.IsType<Inspection.Refused>(Inspect(TestFiles.PngFromRows(64, 64, 2, rows[..(rows.Length / 2)])));
        Assert.Contains("damaged", En(() => refused.Title), StringComparison.Ordinal);
    }

    [Fact]
    public void A_JPEG_carrying_data_after_its_end_marker_is_refused_but_a_few_bytes_of_padding_are_accepted()
    {
        var photo = TestFiles.PhotoJpeg(64, 48);
        var refused = Assert.IsType<Inspection.Refused>(Inspect(photo.Concat(new byte[5 * 1024]).ToArray()));
        Assert.Contains("5120 bytes after the end", En(() => refused.Detail), StringComparison.Ordinal);
        Assert.IsType<Inspection.Accepted>(Inspect(photo.Concat(new byte[EvidenceInspector.MaxTrailingBytes]).ToArray()));
        Assert.IsType<Inspection.Refused>(Inspect(photo.Concat(new byte[EvidenceInspector.MaxTrailingBytes + 1]).ToArray()));
    }

    [Fact]
    public void A_phone_photo_with_EXIF_is_accepted_and_its_clean_copy_has_no_EXIF_and_the_same_size()
    {
        var photo = TestFiles.PhotoJpeg(320, 240, exifGps: true);
        Assert.True(TestFiles.Contains(photo, TestFiles.ExifMarker));
        Assert.IsType<Inspection.Accepted>(Inspect(photo));
        var copy = ImageCodec.CleanCopy(new MemoryStream(photo), EvidenceInspector.Jpeg);
        Assert.NotNull(copy);
        Assert.False(TestFiles.Contains(copy.Bytes, TestFiles.ExifMarker));
        Assert.False(TestFiles.Contains(copy.Bytes, "Phone"u8.ToArray()));
        Assert.Equal((320, 240, EvidenceInspector.Jpeg), (copy.Width, copy.Height, copy.ContentType));
    }
}
