using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace AccidentRemote.Tests.Evidence;

/// <summary>Small, structurally valid files made in code, and the broken ones a server must refuse.</summary>
public static class TestFiles
{
    /// <summary>A real RGB PNG (zlib-compressed rows, correct CRCs), decodable by any viewer.</summary>
    public static byte[] Png(int width, int height, bool noise = false)
    {
        var raw = new MemoryStream();
        var random = new Random(42);
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

    /// <summary>An extended WebP (VP8X) stating a canvas size, followed by a 1x1 VP8L image chunk.</summary>
    public static byte[] WebPExtended(int width, int height)
    {
        var vp8l = WebPLossless()[12..];
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

    public static byte[] Append(byte[] file, string text) => file.Concat(Encoding.ASCII.GetBytes(text)).ToArray();
}
