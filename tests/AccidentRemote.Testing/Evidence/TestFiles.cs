using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace AccidentRemote.Tests.Evidence;

/// <summary>Small, structurally valid files made in code, and the broken ones a server must refuse.</summary>
public static class TestFiles
{
    /// <summary>A real RGB PNG (zlib-compressed rows, correct CRCs), decodable by any viewer.</summary>
    public static byte[] Png(int width, int height, bool noise = false, int seed = 42)
    {
        var raw = new MemoryStream();
        var random = new Random(seed);
        for (var y = 0; y < height; y++)
        {
            raw.WriteByte(0); // filter: none
            for (var x = 0; x < width; x++)
            {
                raw.Write(noise ? [(byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)] : [(byte)(x * 40), (byte)(y * 40), 200]);
            }
        }

        var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true))
        {
            raw.Position = 0;
            raw.CopyTo(z);
        }

        return PngWith(width, height, idat.ToArray());
    }

    /// <summary>A PNG whose header states any size, with a token IDAT: enough to test header limits without pixels.</summary>
    public static byte[] PngHeaderOnly(uint width, uint height) => PngWith(width, height, [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);

    /// <summary>A PNG from raw rows (each a filter byte, then pixels) of colour type 2 (RGB) or 6 (RGBA).</summary>
    public static byte[] PngFromRows(int width, int height, byte colourType, byte[] rows)
    {
        var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(rows);
        }

        return PngWith(width, height, idat.ToArray(), colourType);
    }

    private static byte[] PngWith(long width, long height, byte[] idat, byte colourType = 2)
    {
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = colourType; // 2 RGB, 6 RGBA
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", idat);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
        s.Write(length);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(length, Crc32(typeAndData));
        s.Write(length);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return crc ^ 0xFFFFFFFFu;
    }

    /// <summary>
    /// A baseline greyscale JPEG, mid-grey everywhere: JFIF, a flat quantisation table, SOF0, one DC and one AC
    /// Huffman table with a single 1-bit code each, and per 8x8 block the bits "0" (DC difference 0) "0" (end of block).
    /// <paramref name="app1"/> adds an APP1 segment before the frame header (where EXIF/XMP metadata lives).
    /// </summary>
    public static byte[] Jpeg(int width, int height, byte[]? app1 = null)
    {
        var j = new MemoryStream();
        j.Write([0xFF, 0xD8]);
        j.Write([0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
        if (app1 is not null)
        {
            j.Write([0xFF, 0xE1, (byte)((app1.Length + 2) >> 8), (byte)(app1.Length + 2)]);
            j.Write(app1);
        }

        j.Write([0xFF, 0xDB, 0x00, 0x43, 0x00]);
        j.Write(Enumerable.Repeat((byte)1, 64).ToArray());
        j.Write([0xFF, 0xC0, 0x00, 0x0B, 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 1, 1, 0x11, 0]);
        foreach (var tableClass in new byte[] { 0x00, 0x10 })
        {
            j.Write([0xFF, 0xC4, 0x00, 0x14, tableClass, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00]);
        }

        j.Write([0xFF, 0xDA, 0x00, 0x08, 1, 1, 0x00, 0, 0x3F, 0]);
        var blocks = ((width + 7) / 8) * ((height + 7) / 8);
        var bits = blocks * 2;
        var data = new byte[(bits + 7) / 8];
        // All coded bits are 0; the unused bits of the last byte are padded with 1s.
        if (bits % 8 != 0)
        {
            data[^1] = (byte)(0xFF >> (bits % 8));
        }

        j.Write(data);
        j.Write([0xFF, 0xD9]);
        return j.ToArray();
    }

    /// <summary>A 1x1 lossless WebP (VP8L), the one browsers' feature tests use.</summary>
    public static byte[] WebPLossless() => Convert.FromBase64String("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");

    /// <summary>A 1x1 lossy WebP (VP8).</summary>
    public static byte[] WebPLossy() => Convert.FromBase64String("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA");

    /// <summary>An extended WebP (VP8X) of the given canvas size around a real lossless image (VP8L, encoded by Skia) of the same size.</summary>
    public static byte[] WebPExtended(int width, int height)
    {
        using var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(width, height, SkiaSharp.SKColorType.Rgba8888, SkiaSharp.SKAlphaType.Premul));
        bitmap.Erase(new SkiaSharp.SKColor(30, 120, 200, 128));
        using var pixmap = bitmap.PeekPixels()!;
        var encoded = pixmap.Encode(new SkiaSharp.SKWebpEncoderOptions(SkiaSharp.SKWebpEncoderCompression.Lossless, 25))!.ToArray();
        // Find the VP8L chunk among the encoder's chunks (it may already have written a VP8X of its own).
        var at = 12;
        while (Encoding.ASCII.GetString(encoded, at, 4) != "VP8L")
        {
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(encoded.AsSpan(at + 4));
            at += 8 + size + (size & 1);
        }

        var chunkSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(encoded.AsSpan(at + 4));
        var vp8l = encoded[at..(at + 8 + chunkSize + (chunkSize & 1))];
        var vp8x = new byte[18];
        Encoding.ASCII.GetBytes("VP8X").CopyTo(vp8x, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(vp8x.AsSpan(4), 10);
        vp8x[8] = 0x10; // alpha flag: the VP8L image inside has an alpha channel
        WriteUInt24(vp8x.AsSpan(12), width - 1);
        WriteUInt24(vp8x.AsSpan(15), height - 1);
        var body = Encoding.ASCII.GetBytes("WEBP").Concat(vp8x).Concat(vp8l).ToArray();
        var riff = new byte[8];
        Encoding.ASCII.GetBytes("RIFF").CopyTo(riff, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(riff.AsSpan(4), (uint)body.Length);
        return riff.Concat(body).ToArray();
    }

    private static void WriteUInt24(Span<byte> b, int v)
    {
        b[0] = (byte)v;
        b[1] = (byte)(v >> 8);
        b[2] = (byte)(v >> 16);
    }

    /// <summary>A one-page PDF with a correct cross-reference table. <paramref name="extra"/> goes into the catalog.</summary>
    public static byte[] Pdf(string extra = "")
    {
        var objects = new[]
        {
            $"<< /Type /Catalog /Pages 2 0 R {extra}>>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        };
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append($"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = pdf.Length;
        pdf.Append($"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var o in offsets)
        {
            pdf.Append($"{o:D10} 00000 n \n");
        }

        pdf.Append($"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }

    public static byte[] Svg() => Encoding.UTF8.GetBytes("""<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>""");

    public static byte[] Html() => Encoding.UTF8.GetBytes("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>");

    /// <summary>
    /// A real photo-like JPEG (random coloured blocks, encoded by Skia), optionally with an EXIF block that
    /// holds a GPS position (39.9087 N, 116.3975 E) and a camera make, right after the start marker, as phones write it.
    /// </summary>
    public static byte[] PhotoJpeg(int width, int height, bool exifGps = false, int seed = 7)
    {
        using var bitmap = new SkiaSharp.SKBitmap(width, height);
        var random = new Random(seed);
        using (var canvas = new SkiaSharp.SKCanvas(bitmap))
        {
            for (var y = 0; y < height; y += 8)
            {
                for (var x = 0; x < width; x += 8)
                {
                    using var paint = new SkiaSharp.SKPaint { Color = new SkiaSharp.SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)) };
                    canvas.DrawRect(x, y, 8, 8, paint);
                }
            }
        }

        using var image = SkiaSharp.SKImage.FromBitmap(bitmap);
        var jpeg = image.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 85).ToArray();
        if (!exifGps)
        {
            return jpeg;
        }

        var exif = ExifWithGps();
        var app1 = new byte[] { 0xFF, 0xE1, (byte)((exif.Length + 2) >> 8), (byte)(exif.Length + 2) };
        return jpeg[..2].Concat(app1).Concat(exif).Concat(jpeg[2..]).ToArray();
    }

    /// <summary>The bytes every EXIF block starts with; a clean copy must not contain them.</summary>
    public static readonly byte[] ExifMarker = "Exif\0\0"u8.ToArray();

    /// <summary>"Exif\0\0", a big-endian TIFF header, IFD0 with Make and a GPS IFD pointer, and the GPS IFD with latitude and longitude.</summary>
    private static byte[] ExifWithGps()
    {
        var t = new MemoryStream();
        void U16(int v) { t.WriteByte((byte)(v >> 8)); t.WriteByte((byte)v); }
        void U32(long v) { U16((int)(v >> 16)); U16((int)(v & 0xFFFF)); }
        void Entry(int tag, int type, int count, long value) { U16(tag); U16(type); U32(count); U32(value); }
        t.Write("MM\0*"u8);
        U32(8);
        // IFD0 at 8: 2 entries (Make, GPSInfo), next IFD 0. 2 + 2*12 + 4 = 30 bytes, so data starts at 38.
        U16(2);
        Entry(0x010F, 2, 6, 38);          // Make = "Phone\0" at 38
        Entry(0x8825, 4, 1, 44);          // GPS IFD at 44
        U32(0);
        t.Write("Phone\0"u8);
        // GPS IFD at 44: 4 entries, next 0. 2 + 4*12 + 4 = 54 bytes, so rationals start at 98.
        U16(4);
        Entry(0x0001, 2, 2, 0x4E000000);  // GPSLatitudeRef "N"
        Entry(0x0002, 5, 3, 98);          // GPSLatitude: 3 rationals at 98
        Entry(0x0003, 2, 2, 0x45000000);  // GPSLongitudeRef "E"
        Entry(0x0004, 5, 3, 122);         // GPSLongitude: 3 rationals at 122
        U32(0);
        foreach (var (n, d) in new (long, long)[] { (39, 1), (54, 1), (3132, 100), (116, 1), (23, 1), (5100, 100) })
        {
            U32(n);
            U32(d);
        }

        return "Exif\0\0"u8.ToArray().Concat(t.ToArray()).ToArray();
    }

    /// <summary>Whether <paramref name="needle"/> occurs anywhere in <paramref name="bytes"/>.</summary>
    public static bool Contains(byte[] bytes, byte[] needle) => bytes.AsSpan().IndexOf(needle) >= 0;

    public static byte[] Append(byte[] file, string text) => file.Concat(Encoding.ASCII.GetBytes(text)).ToArray();
}
