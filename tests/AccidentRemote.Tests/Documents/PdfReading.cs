using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using ZXing;
using ZXing.Common;

namespace AccidentRemote.Tests.Documents;

/// <summary>Reads issued PDFs back as a person's viewer would: text from the embedded fonts, QR codes from the embedded images.</summary>
public static class PdfReading
{
    /// <summary>All text of all pages, as extracted through the fonts' ToUnicode maps.</summary>
    public static string Text(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Join("\n", document.GetPages().Select(p => p.Text));
    }

    /// <summary>The texts of every QR code found in the images of the first page.</summary>
    public static List<string> QrCodes(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        var found = new List<string>();
        foreach (var image in document.GetPage(1).GetImages())
        {
            if (Gray(image) is { } gray && Decode(gray, image.WidthInSamples, image.HeightInSamples) is { } text)
            {
                found.Add(text);
            }
        }

        return found;
    }

    public static string? Decode(byte[] gray, int width, int height)
    {
        var reader = new BarcodeReaderGeneric { Options = new DecodingOptions { PossibleFormats = [BarcodeFormat.QR_CODE], TryHarder = true } };
        return reader.Decode(gray, width, height, RGBLuminanceSource.BitmapFormat.Gray8)?.Text;
    }

    /// <summary>8-bit luminance per pixel from an image's decoded samples (gray or RGB, 1 or 8 bits).</summary>
    private static byte[]? Gray(IPdfImage image)
    {
        if (!image.TryGetBytesAsMemory(out var memory))
        {
            return null;
        }

        var bytes = memory.Span;
        int w = image.WidthInSamples, h = image.HeightInSamples;
        var components = image.ColorSpaceDetails?.BaseNumberOfColorComponents ?? 1;
        var gray = new byte[w * h];
        if (image.BitsPerComponent == 8)
        {
            var indexed = image.ColorSpaceDetails?.Type == UglyToad.PdfPig.Graphics.Colors.ColorSpace.Indexed;
            if (indexed || bytes.Length < w * h * components)
            {
                return null;
            }

            for (var i = 0; i < w * h; i++)
            {
                var sum = 0;
                for (var c = 0; c < components; c++)
                {
                    sum += bytes[(i * components) + c];
                }

                gray[i] = (byte)(sum / components);
            }

            return gray;
        }

        if (image.BitsPerComponent == 1 && components == 1)
        {
            var stride = (w + 7) / 8;
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    var bit = (bytes[(y * stride) + (x / 8)] >> (7 - (x % 8))) & 1;
                    gray[(y * w) + x] = bit == 1 ? (byte)255 : (byte)0;
                }
            }

            return gray;
        }

        return null;
    }
}
