using SkiaSharp;

namespace AccidentRemote.Server.Evidence;

/// <summary>
/// Decodes images in full with SkiaSharp (Skia's libjpeg-turbo, libpng and libwebp), and makes the
/// clean copies that are served outside the police: the pixels only, turned upright, re-encoded, so no
/// EXIF (GPS position, camera, time), XMP, comments or appended bytes of the original survive.
/// Callers check the header's size against the pixel limits first (<see cref="EvidenceInspector"/>):
/// this is never handed a decompression bomb.
/// </summary>
public static class ImageCodec
{
    /// <summary>JPEG quality of the copies: high enough for a loss adjuster to read a plate or a scratch.</summary>
    public const int CopyQuality = 90;

    /// <summary>At most this many images are decoded at once, so a burst of uploads cannot take all memory (an image of 40 MP is 160 MB decoded).</summary>
    private static readonly SemaphoreSlim Decoders = new(Math.Max(1, Environment.ProcessorCount), Math.Max(1, Environment.ProcessorCount));

    /// <summary>A re-encoded copy: its bytes, type and size.</summary>
    public sealed record Copy(byte[] Bytes, string ContentType, int Width, int Height);

    /// <summary>Decodes every pixel. Null when the image is whole; otherwise what is wrong, in words for the sender.</summary>
    public static string? Verify(Stream file)
    {
        file.Position = 0;
        var (bitmap, problem) = Decode(file);
        bitmap?.Dispose();
        return problem;
    }

    /// <summary>The copy served outside the police; null when the file cannot be decoded (it was accepted, so this means it was damaged since).</summary>
    public static Copy? CleanCopy(Stream file, string contentType)
    {
        file.Position = 0;
        var (decoded, problem) = Decode(file, out var origin);
        if (decoded is null || problem is not null)
        {
            decoded?.Dispose();
            return null;
        }

        using var upright = Orient(decoded, origin);
        if (!ReferenceEquals(upright, decoded))
        {
            decoded.Dispose();
        }

        // Screenshots (PNG) stay lossless; photos become JPEG. Neither encoder writes any metadata.
        var png = contentType == EvidenceInspector.Png;
        using var image = SKImage.FromBitmap(upright);
        using var data = image.Encode(png ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg, png ? 100 : CopyQuality);
        return data is null ? null : new Copy(data.ToArray(), png ? EvidenceInspector.Png : EvidenceInspector.Jpeg, upright.Width, upright.Height);
    }

    private static (SKBitmap? Bitmap, string? Problem) Decode(Stream file) => Decode(file, out _);

    private static (SKBitmap? Bitmap, string? Problem) Decode(Stream file, out SKEncodedOrigin origin)
    {
        origin = SKEncodedOrigin.TopLeft;
        Decoders.Wait();
        try
        {
            using var data = SKData.Create(file);
            using var codec = data is null ? null : SKCodec.Create(data);
            if (codec is null)
            {
                return (null, "The image's data cannot be decoded.");
            }

            origin = codec.EncodedOrigin;
            var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888,
                codec.Info.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Premul);
            var bitmap = new SKBitmap(info);
            var result = codec.GetPixels(info, bitmap.GetPixels());
            if (result == SKCodecResult.Success)
            {
                return (bitmap, null);
            }

            bitmap.Dispose();
            return (null, result == SKCodecResult.IncompleteInput
                ? "Its image data ends before the last row of pixels: the file is cut off (an interrupted download or transfer)."
                : $"Its image data is broken ({result}).");
        }
        finally
        {
            Decoders.Release();
        }
    }

    /// <summary>Applies the EXIF orientation to the pixels, since the copy carries no EXIF to say it.</summary>
    private static SKBitmap Orient(SKBitmap source, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft)
        {
            return source;
        }

        var swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var target = new SKBitmap(new SKImageInfo(swap ? source.Height : source.Width, swap ? source.Width : source.Height, source.ColorType, source.AlphaType));
        using var canvas = new SKCanvas(target);
        switch (origin)
        {
            case SKEncodedOrigin.TopRight:
                canvas.Translate(target.Width, 0);
                canvas.Scale(-1, 1);
                break;
            case SKEncodedOrigin.BottomRight:
                canvas.Translate(target.Width, target.Height);
                canvas.RotateDegrees(180);
                break;
            case SKEncodedOrigin.BottomLeft:
                canvas.Translate(0, target.Height);
                canvas.Scale(1, -1);
                break;
            case SKEncodedOrigin.LeftTop:
                canvas.RotateDegrees(90);
                canvas.Scale(1, -1);
                break;
            case SKEncodedOrigin.RightTop:
                canvas.Translate(target.Width, 0);
                canvas.RotateDegrees(90);
                break;
            case SKEncodedOrigin.RightBottom:
                canvas.Translate(target.Width, target.Height);
                canvas.RotateDegrees(90);
                canvas.Scale(-1, 1);
                break;
            case SKEncodedOrigin.LeftBottom:
                canvas.Translate(0, target.Height);
                canvas.RotateDegrees(270);
                break;
        }

        canvas.DrawBitmap(source, 0, 0);
        return target;
    }
}
