using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using PdfSharp.Drawing;
using PdfSharp.Fonts;

namespace AccidentRemote.Server.Documents;

/// <summary>
/// PDFsharp's font resolver for the document fonts. PDFsharp takes one resolver per process
/// (<see cref="GlobalFontSettings.FontResolver"/>, settable once, before any font is used), while
/// each host reads its font paths from its own settings. So there is one process-wide instance
/// that serves any number of font files, each under a family name made from its path.
/// Bold is simulated: the CJK font has no bold face.
/// </summary>
internal sealed class DocumentFontResolver : IFontResolver
{
    private static readonly Lock Gate = new();
    private static readonly DocumentFontResolver Instance = new();
    private static bool installed;

    private readonly ConcurrentDictionary<string, FontFile> families = new(StringComparer.Ordinal);

    private DocumentFontResolver()
    {
    }

    /// <summary>Loads a font file (once per path) and returns the family name to create <see cref="XFont"/>s with.</summary>
    public static (string Family, FontFile Font) Register(string path)
    {
        var full = Path.GetFullPath(path);
        var family = "ar-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..16];
        var font = Instance.families.GetOrAdd(family, _ => FontFile.Load(full));
        lock (Gate)
        {
            if (!installed)
            {
                if (GlobalFontSettings.FontResolver is { } other && other != Instance)
                {
                    throw new InvalidOperationException($"Another PDFsharp font resolver ({other.GetType().FullName}) is installed; documents need theirs.");
                }

                GlobalFontSettings.FontResolver = Instance;
                installed = true;
            }
        }

        return (family, font);
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool isBold, bool isItalic) =>
        families.ContainsKey(familyName)
            ? new FontResolverInfo(familyName, isBold ? XStyleSimulations.BoldSimulation : XStyleSimulations.None)
            : null;

    public byte[]? GetFont(string faceName) => families.TryGetValue(faceName, out var font) ? font.Bytes : null;
}
