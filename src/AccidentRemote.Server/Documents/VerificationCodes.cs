using System.Buffers.Binary;
using System.Security.Cryptography;
using QRCoder;

namespace AccidentRemote.Server.Documents;

/// <summary>Verification codes: random, unambiguous to read and type, and the QR code that carries them.</summary>
public static class VerificationCodes
{
    /// <summary>Digits and capitals without 0/O, 1/I/L: 31 symbols, so 10 characters give about 49 bits.</summary>
    public const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    public const int Length = 10;

    public static string New() => RandomNumberGenerator.GetString(Alphabet, Length);

    /// <summary>The code as typed by a person (lower case, spaces or dashes) in canonical form, or null when it cannot be one.</summary>
    public static string? Normalize(string? typed)
    {
        if (typed is null || typed.Length > 40)
        {
            return null;
        }

        var code = new string(typed.Where(c => c is not (' ' or '-')).ToArray()).ToUpperInvariant();
        return code.Length == Length && code.All(c => Alphabet.Contains(c, StringComparison.Ordinal)) ? code : null;
    }

    /// <summary>
    /// The QR code for a URL as a 24-bit BMP: black modules on white, with the quiet zone. The
    /// renderer embeds exactly this. BMP because PDFsharp's own image reader takes 8-bit-per-channel
    /// images only, and QRCoder's PNG is 1-bit.
    /// </summary>
    public static byte[] QrBitmap(string url, int pixelsPerModule = 6)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(url, QRCodeGenerator.ECCLevel.M);
        var modules = data.ModuleMatrix;
        var size = modules.Count * pixelsPerModule;
        var stride = ((size * 3) + 3) & ~3;
        var bmp = new byte[54 + (stride * size)];
        "BM"u8.CopyTo(bmp);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), size);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), size); // positive: rows bottom-up
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(34), stride * size);
        for (var y = 0; y < size; y++)
        {
            var row = 54 + ((size - 1 - y) * stride);
            for (var x = 0; x < size; x++)
            {
                var value = modules[y / pixelsPerModule][x / pixelsPerModule] ? (byte)0 : (byte)255;
                bmp.AsSpan(row + (x * 3), 3).Fill(value);
            }
        }

        return bmp;
    }
}
