using System.Buffers.Binary;
using System.Text;

namespace AccidentRemote.Server.Evidence;

/// <summary>An image's size as its header states it, or why it could not be read.</summary>
internal sealed record ImageSize(int Width, int Height, string? Problem = null);

/// <summary>
/// The byte-level reading behind <see cref="EvidenceInspector"/>: image sizes from the JPEG, PNG and WebP
/// headers, where a JPEG really ends, and searches for names and markers. It says what is broken in a
/// structure; what is accepted, and what the uploader is told, is the inspector's.
/// </summary>
internal static class FileStructure
{
    private static readonly byte[] PngIend = [0, 0, 0, 0, (byte)'I', (byte)'E', (byte)'N', (byte)'D', 0xAE, 0x42, 0x60, 0x82];

    /// <summary>
    /// Where a JPEG's end marker (EOI) ends: walks the segments, and through each scan's entropy-coded data
    /// (where <c>FF 00</c> is a data byte and <c>FF D0</c>–<c>FF D7</c> restart markers), so a progressive
    /// JPEG's several scans are followed too. Markers inside APPn segments (the EXIF thumbnail) are skipped by length.
    /// </summary>
    public static (long End, string? Problem) JpegEnd(Stream file, long length)
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

    public static ImageSize ReadPng(byte[] head, byte[] tail)
    {
        // Signature, then the IHDR chunk: length 13, "IHDR", width and height (big-endian).
        if (head.Length < 24 || BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(8)) != 13 || Ascii(head, 12, 4) != "IHDR")
        {
            return new ImageSize(0, 0, "The PNG does not start with its IHDR header, so its size cannot be read.");
        }

        if (!tail.AsSpan().EndsWith(PngIend))
        {
            return new ImageSize(0, 0, "The PNG does not end with its IEND chunk: it is cut off or has data appended.");
        }

        return new ImageSize(ClampToInt(BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(16))), ClampToInt(BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(20))));
    }

    public static ImageSize ReadWebP(byte[] head, long length)
    {
        // "RIFF" size "WEBP", then the first chunk: VP8X (extended), VP8L (lossless) or "VP8 " (lossy).
        var riffSize = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(4));
        if (riffSize + 8L != length)
        {
            return new ImageSize(0, 0, $"The WebP says it is {riffSize + 8L} bytes long but the file has {length}: it is cut off or has data appended.");
        }

        if (head.Length < 30)
        {
            return new ImageSize(0, 0, "The WebP is too short to hold an image header.");
        }

        var chunk = Ascii(head, 12, 4);
        var data = head.AsSpan(20);
        switch (chunk)
        {
            case "VP8X":
                return new ImageSize(1 + ReadUInt24(data[4..]), 1 + ReadUInt24(data[7..]));
            case "VP8L" when data[0] == 0x2F:
                var bits = BinaryPrimitives.ReadUInt32LittleEndian(data[1..]);
                return new ImageSize((int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
            case "VP8 " when data[3] == 0x9D && data[4] == 0x01 && data[5] == 0x2A:
                return new ImageSize(BinaryPrimitives.ReadUInt16LittleEndian(data[6..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(data[8..]) & 0x3FFF);
            default:
                return new ImageSize(0, 0, "The WebP has no VP8, VP8L or VP8X image header, so its size cannot be read.");
        }
    }

    public static ImageSize ReadJpeg(Stream file, long length)
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
                return new ImageSize(0, 0, "The JPEG's structure is broken before its size is stated.");
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
                return new ImageSize(0, 0, "The JPEG has a segment with an impossible length.");
            }

            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (segmentLength < 7 || position + 7 > length)
                {
                    return new ImageSize(0, 0, "The JPEG's frame header is cut off.");
                }

                file.ReadExactly(frame);
                return new ImageSize(BinaryPrimitives.ReadUInt16BigEndian(frame[3..]), BinaryPrimitives.ReadUInt16BigEndian(frame[1..]));
            }

            position += segmentLength;
        }

        return new ImageSize(0, 0, "The JPEG has no frame header (SOF), so its size cannot be read.");
    }

    /// <summary>The first of <paramref name="names"/> (PDF names such as <c>/JS</c>) anywhere in the file, as a whole name.</summary>
    public static string? FindName(Stream file, IReadOnlyList<string> names)
    {
        // Read in blocks that overlap by the longest name, so a name across two blocks is still found.
        const int block = 64 * 1024;
        var overlap = names.Max(n => n.Length);
        var buffer = new byte[block + overlap + 1];
        file.Position = 0;
        var carried = 0;
        int read;
        while ((read = file.Read(buffer, carried, block)) > 0)
        {
            var span = buffer.AsSpan(0, carried + read);
            foreach (var name in names)
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

    public static int IndexOfIgnoreCase(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> lowerNeedle)
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

    private static int ReadUInt24(ReadOnlySpan<byte> b) => b[0] | (b[1] << 8) | (b[2] << 16);

    private static int ClampToInt(uint value) => value > int.MaxValue ? int.MaxValue : (int)value;

    public static string Ascii(byte[] bytes, int offset, int count) => Encoding.ASCII.GetString(bytes, offset, count);

    public static byte[] ReadAt(Stream file, long offset, int count)
    {
        var buffer = new byte[count];
        file.Position = offset;
        file.ReadExactly(buffer);
        return buffer;
    }
}
