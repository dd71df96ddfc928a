using System.Buffers.Binary;

namespace AccidentRemote.Server.Documents;

/// <summary>
/// A TrueType font file read once: its bytes (handed to PDFsharp) and the characters it has
/// glyphs for (from its <c>cmap</c> table), so the renderer can pick, per character, the font
/// that can draw it. PDFsharp has no glyph fallback of its own. From a font collection (.ttc,
/// such as Debian's AR PL UMing) the first face is taken out as a font file of its own, which
/// PDFsharp embeds like any .ttf.
/// </summary>
internal sealed class FontFile
{
    private readonly HashSet<int> codePoints;

    private FontFile(byte[] bytes, HashSet<int> codePoints)
    {
        Bytes = bytes;
        this.codePoints = codePoints;
    }

    public byte[] Bytes { get; }

    public bool Has(int codePoint) => codePoints.Contains(codePoint);

    public static FontFile Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length >= 12 && BinaryPrimitives.ReadUInt32BigEndian(bytes) == CollectionTag)
        {
            bytes = FirstFace(bytes);
        }

        return new FontFile(bytes, ReadCmap(bytes));
    }

    /// <summary>Says what is wrong with a font file for documents ("… ."), or null when it will do.</summary>
    public static string? Check(string? path, bool requireCjk)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "is empty.";
        }

        if (!File.Exists(path))
        {
            return $"'{path}' does not exist.";
        }

        try
        {
            var font = Load(path);
            var magic = BinaryPrimitives.ReadUInt32BigEndian(font.Bytes);

            // 'OTTO' (CFF outlines) cannot be subset by PDFsharp; 1.0 and 'true' are TrueType outlines.
            if (magic is not (0x00010000 or 0x74727565))
            {
                return $"'{path}' is not a TrueType font (.ttf or .ttc with TrueType outlines).";
            }

            var sample = requireCjk ? "道路交通事故认定书" : "AZaz09";
            if (sample.Any(c => !font.Has(c)))
            {
                return $"'{path}' has no glyphs for \"{sample}\".";
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentOutOfRangeException or OverflowException)
        {
            return $"'{path}' cannot be read as a TrueType font ({ex.Message}).";
        }
    }

    /// <summary>Code points with a real glyph, from the Unicode subtables (format 12, else format 4).</summary>
    private static HashSet<int> ReadCmap(byte[] font)
    {
        var span = font.AsSpan();
        var tables = BinaryPrimitives.ReadUInt16BigEndian(span[4..]);
        var cmap = -1;
        for (var i = 0; i < tables; i++)
        {
            var entry = 12 + (16 * i);
            if (span.Slice(entry, 4).SequenceEqual("cmap"u8))
            {
                cmap = (int)BinaryPrimitives.ReadUInt32BigEndian(span[(entry + 8)..]);
            }
        }

        if (cmap < 0)
        {
            throw new InvalidDataException("no cmap table");
        }

        int format4 = -1, format12 = -1;
        var subtables = BinaryPrimitives.ReadUInt16BigEndian(span[(cmap + 2)..]);
        for (var i = 0; i < subtables; i++)
        {
            var record = cmap + 4 + (8 * i);
            var platform = BinaryPrimitives.ReadUInt16BigEndian(span[record..]);
            var encoding = BinaryPrimitives.ReadUInt16BigEndian(span[(record + 2)..]);
            var offset = cmap + (int)BinaryPrimitives.ReadUInt32BigEndian(span[(record + 4)..]);
            var format = BinaryPrimitives.ReadUInt16BigEndian(span[offset..]);
            var unicode = platform == 0 || (platform == 3 && encoding is 1 or 10);
            if (unicode && format == 12)
            {
                format12 = offset;
            }
            else if (unicode && format == 4)
            {
                format4 = offset;
            }
        }

        var result = new HashSet<int>();
        if (format12 >= 0)
        {
            var groups = BinaryPrimitives.ReadUInt32BigEndian(span[(format12 + 12)..]);
            for (var g = 0; g < groups; g++)
            {
                var at = format12 + 16 + (12 * g);
                var start = (int)BinaryPrimitives.ReadUInt32BigEndian(span[at..]);
                var end = (int)BinaryPrimitives.ReadUInt32BigEndian(span[(at + 4)..]);
                var glyph = BinaryPrimitives.ReadUInt32BigEndian(span[(at + 8)..]);
                for (var c = start; c <= end; c++)
                {
                    if (glyph + (uint)(c - start) != 0)
                    {
                        result.Add(c);
                    }
                }
            }

            return result;
        }

        if (format4 < 0)
        {
            throw new InvalidDataException("no Unicode cmap subtable");
        }

        var segments = BinaryPrimitives.ReadUInt16BigEndian(span[(format4 + 6)..]) / 2;
        var ends = format4 + 14;
        var starts = ends + (2 * segments) + 2;
        var deltas = starts + (2 * segments);
        var rangeOffsets = deltas + (2 * segments);
        for (var s = 0; s < segments; s++)
        {
            var end = BinaryPrimitives.ReadUInt16BigEndian(span[(ends + (2 * s))..]);
            var start = BinaryPrimitives.ReadUInt16BigEndian(span[(starts + (2 * s))..]);
            var delta = BinaryPrimitives.ReadInt16BigEndian(span[(deltas + (2 * s))..]);
            var rangeOffsetAt = rangeOffsets + (2 * s);
            var rangeOffset = BinaryPrimitives.ReadUInt16BigEndian(span[rangeOffsetAt..]);
            for (int c = start; c <= end && c != 0xFFFF; c++)
            {
                int glyph;
                if (rangeOffset == 0)
                {
                    glyph = (c + delta) & 0xFFFF;
                }
                else
                {
                    var glyphAt = rangeOffsetAt + rangeOffset + (2 * (c - start));
                    glyph = BinaryPrimitives.ReadUInt16BigEndian(span[glyphAt..]);
                    glyph = glyph == 0 ? 0 : (glyph + delta) & 0xFFFF;
                }

                if (glyph != 0)
                {
                    result.Add(c);
                }
            }
        }

        return result;
    }

    private const uint CollectionTag = 0x74746366; // 'ttcf'

    /// <summary>
    /// The first face of a font collection as a standalone font file: its table directory and the tables it points to,
    /// copied with new offsets (tables shared between faces are simply copied for this one).
    /// </summary>
    internal static byte[] FirstFace(byte[] collection)
    {
        var span = collection.AsSpan();
        var faces = BinaryPrimitives.ReadUInt32BigEndian(span[8..]);
        if (faces == 0)
        {
            throw new InvalidDataException("the font collection has no faces");
        }

        var face = (int)BinaryPrimitives.ReadUInt32BigEndian(span[12..]);
        var tables = BinaryPrimitives.ReadUInt16BigEndian(span[(face + 4)..]);
        var header = 12 + (16 * tables);
        var entries = new (uint Tag, uint Checksum, int Offset, int Length)[tables];
        var size = header;
        for (var i = 0; i < tables; i++)
        {
            var at = face + 12 + (16 * i);
            entries[i] = (BinaryPrimitives.ReadUInt32BigEndian(span[at..]), BinaryPrimitives.ReadUInt32BigEndian(span[(at + 4)..]),
                checked((int)BinaryPrimitives.ReadUInt32BigEndian(span[(at + 8)..])), checked((int)BinaryPrimitives.ReadUInt32BigEndian(span[(at + 12)..])));
            if (entries[i].Offset < 0 || entries[i].Length < 0 || entries[i].Offset + entries[i].Length > collection.Length)
            {
                throw new InvalidDataException("a table of the font collection lies outside the file");
            }

            size += (entries[i].Length + 3) & ~3;
        }

        var font = new byte[size];
        span.Slice(face, 12).CopyTo(font); // sfnt version, table count, search hints: the same for the single face
        var offset = header;
        for (var i = 0; i < tables; i++)
        {
            var (tag, checksum, from, length) = entries[i];
            var at = 12 + (16 * i);
            BinaryPrimitives.WriteUInt32BigEndian(font.AsSpan(at), tag);
            BinaryPrimitives.WriteUInt32BigEndian(font.AsSpan(at + 4), checksum);
            BinaryPrimitives.WriteUInt32BigEndian(font.AsSpan(at + 8), (uint)offset);
            BinaryPrimitives.WriteUInt32BigEndian(font.AsSpan(at + 12), (uint)length);
            span.Slice(from, length).CopyTo(font.AsSpan(offset));
            offset += (length + 3) & ~3;
        }

        return font;
    }
}
