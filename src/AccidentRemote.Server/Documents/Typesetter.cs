using System.Text;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace AccidentRemote.Server.Documents;

/// <summary>
/// Draws and wraps mixed Chinese and Latin text with two fonts: each character goes to the font
/// that has a glyph for it (the CJK font has no Latin letters or digits), and lines break
/// between any two Chinese characters, not only at spaces as PDFsharp's XTextFormatter does.
/// </summary>
internal sealed class Typesetter(DocumentFonts fonts)
{
    // Punctuation that must not begin a line (禁则): it stays at the end of the line before.
    private const string NoLineStart = "，。、；：！？）》」』”’,.;:!?)%";

    private readonly Dictionary<(string, double, bool), XFont> cache = [];

    public double Width(XGraphics g, string text, double size, bool bold = false) =>
        Runs(text).Sum(r => g.MeasureString(r.Text, Font(r.Family, size, bold)).Width);

    /// <summary>Draws one line with its baseline at <paramref name="baseline"/>.</summary>
    public void Draw(XGraphics g, string text, double x, double baseline, double size, XBrush brush, bool bold = false)
    {
        foreach (var run in Runs(text))
        {
            var font = Font(run.Family, size, bold);
            g.DrawString(run.Text, font, brush, x, baseline, XStringFormats.BaseLineLeft);
            x += g.MeasureString(run.Text, font).Width;
        }
    }

    public void DrawCentered(XGraphics g, string text, double centerX, double baseline, double size, XBrush brush, bool bold = false) =>
        Draw(g, text, centerX - (Width(g, text, size, bold) / 2), baseline, size, brush, bold);

    public void DrawRight(XGraphics g, string text, double rightX, double baseline, double size, XBrush brush, bool bold = false) =>
        Draw(g, text, rightX - Width(g, text, size, bold), baseline, size, brush, bold);

    /// <summary>The largest size not above <paramref name="size"/> (and not below <paramref name="min"/>) at which the text fits the width.</summary>
    public double FitSize(XGraphics g, string text, double width, double size, double min, bool bold = false)
    {
        while (size > min && Width(g, text, size, bold) > width)
        {
            size -= 0.25;
        }

        return size;
    }

    /// <summary>Breaks text into lines no wider than <paramref name="width"/>; line breaks in the text are kept.</summary>
    public List<string> Wrap(XGraphics g, string text, double width, double size, bool bold = false)
    {
        var lines = new List<string>();
        foreach (var paragraph in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = new StringBuilder();
            foreach (var token in Tokens(paragraph))
            {
                if (line.Length == 0 && string.IsNullOrWhiteSpace(token))
                {
                    continue;
                }

                var candidate = line + token;
                if (Width(g, candidate, size, bold) <= width || line.Length == 0 || NoLineStart.Contains(token[0], StringComparison.Ordinal))
                {
                    if (line.Length == 0 && Width(g, token, size, bold) > width)
                    {
                        // A word longer than the line (a URL, a long number): break it anywhere.
                        foreach (var c in token)
                        {
                            if (line.Length > 0 && Width(g, line.ToString() + c, size, bold) > width)
                            {
                                lines.Add(line.ToString());
                                line.Clear();
                            }

                            line.Append(c);
                        }

                        continue;
                    }

                    line.Append(token);
                    continue;
                }

                lines.Add(line.ToString().TrimEnd());
                line.Clear();
                if (!string.IsNullOrWhiteSpace(token))
                {
                    line.Append(token);
                }
            }

            lines.Add(line.ToString().TrimEnd());
        }

        return lines;
    }

    private XFont Font(string family, double size, bool bold)
    {
        if (!cache.TryGetValue((family, size, bold), out var font))
        {
            font = new XFont(family, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, new XPdfFontOptions(PdfFontEncoding.Unicode));
            cache[(family, size, bold)] = font;
        }

        return font;
    }

    private IEnumerable<(string Family, string Text)> Runs(string text)
    {
        var run = new StringBuilder();
        string? family = null;
        foreach (var rune in text.EnumerateRunes())
        {
            var f = fonts.FamilyFor(rune.Value);
            if (family is not null && f != family)
            {
                yield return (family, run.ToString());
                run.Clear();
            }

            family = f;
            run.Append(rune.ToString());
        }

        if (family is not null && run.Length > 0)
        {
            yield return (family, run.ToString());
        }
    }

    /// <summary>Words of Latin text, single CJK characters, and spaces.</summary>
    private static IEnumerable<string> Tokens(string text)
    {
        var word = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            var s = rune.ToString();
            if (Rune.IsWhiteSpace(rune) || rune.Value >= 0x2E80)
            {
                if (word.Length > 0)
                {
                    yield return word.ToString();
                    word.Clear();
                }

                yield return s;
            }
            else
            {
                word.Append(s);
            }
        }

        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }
}

/// <summary>The two document fonts, registered with PDFsharp, and which one draws a character.</summary>
internal sealed class DocumentFonts
{
    private readonly (string Family, FontFile Font) cjk;
    private readonly (string Family, FontFile Font) latin;

    public DocumentFonts(string cjkPath, string latinPath)
    {
        cjk = DocumentFontResolver.Register(cjkPath);
        latin = DocumentFontResolver.Register(latinPath);
    }

    /// <summary>Latin (and other non-CJK) characters from the Latin font, the rest from the CJK font; whichever has a glyph.</summary>
    public string FamilyFor(int codePoint)
    {
        var preferLatin = codePoint < 0x2E80;
        if (preferLatin)
        {
            return latin.Font.Has(codePoint) || !cjk.Font.Has(codePoint) ? latin.Family : cjk.Family;
        }

        return cjk.Font.Has(codePoint) || !latin.Font.Has(codePoint) ? cjk.Family : latin.Family;
    }
}
