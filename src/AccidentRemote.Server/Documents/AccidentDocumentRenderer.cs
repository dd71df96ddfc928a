using System.Globalization;
using AccidentRemote.Server.Cases;
using Microsoft.Extensions.Options;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace AccidentRemote.Server.Documents;

/// <summary>
/// Renders the 道路交通事故认定书（简易程序） as an A4 PDF: Chinese labels with English in smaller
/// type, the two fonts embedded as subsets (with ToUnicode maps, so the text can be searched and
/// copied), each party's signature, and a QR code to the public verification page.
/// </summary>
public sealed class AccidentDocumentRenderer
{
    /// <summary>The notice of the right to ask for review (复核) and to sue, as printed.</summary>
    public const string ReviewNoticeZh =
        "当事人对道路交通事故认定有异议的，可以自道路交通事故认定书送达之日起三日内，向上一级公安机关交通管理部门提出书面复核申请。" +
        "复核申请应当载明复核请求及其理由和主要证据。当事人对道路交通事故损害赔偿有争议的，可以共同申请公安机关交通管理部门调解，" +
        "也可以直接向人民法院提起民事诉讼。";

    public const string ReviewNoticeEn =
        "A party who disagrees with this determination may apply in writing for a review to the traffic administration of the " +
        "public security authority at the next higher level within three days of receiving this document, stating the request, " +
        "its reasons and the main evidence. A dispute over compensation may be brought jointly for mediation by the traffic " +
        "administration, or directly to a people's court as a civil action.";

    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);
    private static readonly XBrush Ink = XBrushes.Black;
    private static readonly XBrush Grey = new XSolidBrush(XColor.FromArgb(85, 85, 85));
    private static readonly XBrush LabelFill = new XSolidBrush(XColor.FromArgb(242, 242, 242));
    private static readonly XPen Rule = new(XColor.FromArgb(60, 60, 60), 0.6);
    private static readonly XPen ThinRule = new(XColor.FromArgb(150, 150, 150), 0.4);

    private const double PageWidth = 595.28;
    private const double PageHeight = 841.89;
    private const double Left = 48;
    private const double Right = PageWidth - 48;
    private const double Top = 42;
    private const double Bottom = PageHeight - 46;
    private const double ContentWidth = Right - Left;

    private readonly DocumentOptions options;
    private readonly DocumentFonts fonts;

    public AccidentDocumentRenderer(IOptions<DocumentOptions> options)
    {
        this.options = options.Value;
        fonts = new DocumentFonts(this.options.FontPath, this.options.LatinFontPath);
    }

    /// <summary>Renders off the request thread (PDFsharp is synchronous and CPU-bound).</summary>
    public Task<byte[]> RenderAsync(AccidentDocumentModel model, CancellationToken ct = default) =>
        Task.Run(() => Render(model), ct);

    /// <summary>The PDF bytes. Throws <see cref="ArgumentException"/> naming the field when the model is incomplete.</summary>
    public byte[] Render(AccidentDocumentModel model)
    {
        Check(model);
        using var document = new PdfDocument();
        document.Info.Title = $"道路交通事故认定书（简易程序） {model.Number}";
        document.Info.Subject = "Road traffic accident determination (summary procedure)";
        document.Info.Author = options.AuthorityName;
        document.Info.Creator = "AccidentRemote";
        document.Info.CreationDate = model.IssuedAt.UtcDateTime;
        document.Options.CompressContentStreams = true;

        var writer = new Writer(document, new Typesetter(fonts));
        var url = options.VerificationUrl(model.VerificationCode);
        Header(writer, model);
        Basics(writer, model);
        Parties(writer, model);
        Paragraphs(writer, "交通事故事实及责任", "Facts and liability", model.Facts + "\n" + LiabilitySentence(model), 10);
        Paragraphs(writer, "损害赔偿调解结果", "Result of mediation on compensation",
            string.IsNullOrWhiteSpace(model.MediationResult) ? "当事人未申请调解。 No mediation was requested." : model.MediationResult, 10);
        Notice(writer);
        Closing(writer, model);
        writer.Finish(url, model.VerificationCode);

        using var stream = new MemoryStream();
        document.Save(stream, closeStream: false);
        return stream.ToArray();
    }

    private static void Check(AccidentDocumentModel m)
    {
        void Require(bool ok, string field, string what)
        {
            if (!ok)
            {
                throw new ArgumentException($"The document cannot be rendered: {field} {what}", nameof(m));
            }
        }

        Require(!string.IsNullOrWhiteSpace(m.Number), "Number", "is required (IssueAsync assigns it).");
        Require(VerificationCodes.Normalize(m.VerificationCode) == m.VerificationCode, "VerificationCode", $"must be {VerificationCodes.Length} characters of {VerificationCodes.Alphabet}.");
        Require(m.IssuedAt != default, "IssuedAt", "is required.");
        Require(!string.IsNullOrWhiteSpace(m.Weather), "Weather", "is required, e.g. 晴.");
        Require(!string.IsNullOrWhiteSpace(m.Place?.Address), "Place.Address", "is required.");
        Require(!string.IsNullOrWhiteSpace(m.Facts), "Facts", "is required.");
        Require(!string.IsNullOrWhiteSpace(m.Officer?.Name) && !string.IsNullOrWhiteSpace(m.Officer?.BadgeNumber), "Officer", "needs a name and a badge number.");
        Require(m.Parties is { Count: > 0 }, "Parties", "needs at least one party.");
        foreach (var p in m.Parties!)
        {
            var f = $"Parties[{p.PartyNumber}]";
            Require(Liability.Values.Contains(p.Liability), $"{f}.Liability", $"must be one of {string.Join(", ", Liability.Values)}.");
            Require(!string.IsNullOrWhiteSpace(p.Name) && !string.IsNullOrWhiteSpace(p.Plate), f, "needs a name and a plate.");
            Require(p.SignaturePng is null || p.SignaturePng.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']),
                $"{f}.SignaturePng", "must be a PNG image.");
        }
    }

    private void Header(Writer w, AccidentDocumentModel m)
    {
        var g = w.G;
        var t = w.Type;
        t.Draw(g, options.AuthorityName, Left, Top + 9, 8.5, Grey);

        // QR code, top right, with the code under it.
        const double qr = 78;
        var qrX = Right - qr;
        using (var image = XImage.FromStream(new MemoryStream(VerificationCodes.QrBitmap(options.VerificationUrl(m.VerificationCode)))))
        {
            g.DrawImage(image, qrX, Top - 6, qr, qr);
        }

        t.DrawCentered(g, "扫码验证 Scan to verify", qrX + (qr / 2), Top + qr + 3, 6.5, Grey);
        t.DrawCentered(g, m.VerificationCode, qrX + (qr / 2), Top + qr + 14, 9.5, Ink, bold: true);

        var center = Left + (ContentWidth / 2);
        t.DrawCentered(g, "道路交通事故认定书（简易程序）", center, Top + 40, 19, Ink, bold: true);
        t.DrawCentered(g, "Road Traffic Accident Determination (Summary Procedure)", center, Top + 56, 9, Grey);
        t.DrawCentered(g, $"编号 No.  第 {m.Number} 号", center, Top + 76, 10.5, Ink);
        w.Y = Top + qr + 22;
    }

    private static void Basics(Writer w, AccidentDocumentModel m)
    {
        w.Section("事故基本情况", "The accident");
        const double row = 24;
        const double label = 84;
        var half = ContentWidth / 2;
        w.Need(row * 2);
        var y = w.Y;
        w.LabelCell(Left, y, label, row, "事故时间", "Time of accident");
        w.ValueCell(Left + label, y, half - label, row, BeijingTime(m.AccidentTime));
        w.LabelCell(Left + half, y, label, row, "天气", "Weather");
        w.ValueCell(Left + half + label, y, half - label, row, m.Weather);
        y += row;
        var place = m.Place.Address;
        if (m.Place.Latitude is { } lat && m.Place.Longitude is { } lon)
        {
            place += string.Create(CultureInfo.InvariantCulture, $"（{(lat >= 0 ? "N" : "S")} {Math.Abs(lat):0.00000}°, {(lon >= 0 ? "E" : "W")} {Math.Abs(lon):0.00000}°）");
        }

        w.LabelCell(Left, y, label, row, "事故地点", "Place");
        w.ValueCell(Left + label, y, ContentWidth - label, row, place);
        w.Y = y + row + 8;
    }

    private static void Parties(Writer w, AccidentDocumentModel m)
    {
        w.Section("当事人、车辆及保险", "Parties, vehicles and insurance");
        const double head = 19;
        const double row = 23;
        const double label = 78;
        const double signature = 118;
        var pairWidth = (ContentWidth - signature) / 2;
        foreach (var p in m.Parties.OrderBy(p => p.PartyNumber))
        {
            w.Need(head + (row * 4) + 8);
            var g = w.G;
            var y = w.Y;
            g.DrawRectangle(LabelFill, Left, y, ContentWidth, head);
            g.DrawRectangle(Rule, Left, y, ContentWidth, head);
            w.Type.Draw(g, $"当事人{DocumentWords.PartyName(p.PartyNumber)}", Left + 6, y + 14, 10.5, Ink, bold: true);
            w.Type.Draw(g, $"Party {p.PartyNumber}", Left + 64, y + 14, 8, Grey);
            var liability = DocumentWords.Liability[p.Liability];
            w.Type.DrawRight(g, $"责任 Liability: {liability.Zh} {liability.En}", Right - 6, y + 14, 10, Ink, bold: true);
            y += head;

            (string Zh, string En, string Value)[] cells =
            [
                ("姓名", "Name", p.Name), ("联系电话", "Phone", p.Phone),
                ("驾驶证/身份证号", "Licence / ID no.", p.LicenceOrIdNumber), ("车辆类型", "Vehicle type", DocumentWords.VehicleType(p.VehicleType)),
                ("号牌号码", "Plate", p.Plate), ("保险公司", "Insurer", p.InsurerName ?? "—"),
                ("保险单号", "Policy no.", p.PolicyNumber ?? "—"), ("责任", "Liability", $"{liability.Zh}  {liability.En}"),
            ];
            for (var i = 0; i < cells.Length; i++)
            {
                var x = Left + (i % 2 * pairWidth);
                var cy = y + (i / 2 * row);
                w.LabelCell(x, cy, label, row, cells[i].Zh, cells[i].En);
                w.ValueCell(x + label, cy, pairWidth - label, row, cells[i].Value, bold: cells[i].Zh is "号牌号码" or "责任");
            }

            Signature(w, p, Right - signature, y, signature, row * 4);
            w.Y = y + (row * 4) + 6;
        }

        w.Y += 2;
    }

    private static void Signature(Writer w, DocumentParty p, double x, double y, double width, double height)
    {
        var g = w.G;
        g.DrawRectangle(Rule, x, y, width, height);
        w.Type.Draw(g, "当事人签名", x + 5, y + 11, 8.5, Ink);
        w.Type.Draw(g, "Signature", x + 52, y + 11, 6.5, Grey);
        var box = new XRect(x + 6, y + 16, width - 12, height - 34);
        if (p.SignaturePng is { } png)
        {
            using var image = SignatureImage(p.PartyNumber, png);
            var scale = Math.Min(box.Width / image.PointWidth, box.Height / image.PointHeight);
            var iw = image.PointWidth * scale;
            var ih = image.PointHeight * scale;
            g.DrawImage(image, box.X + ((box.Width - iw) / 2), box.Y + ((box.Height - ih) / 2), iw, ih);
        }
        else
        {
            w.Type.DrawCentered(g, "（未签名 not signed）", box.X + (box.Width / 2), box.Y + (box.Height / 2), 8, Grey);
        }

        if (p.SignedAt is { } signed)
        {
            w.Type.Draw(g, "签名时间 Signed", x + 5, y + height - 11, 6.5, Grey);
            w.Type.Draw(g, BeijingTime(signed, compact: true), x + 5, y + height - 3.5, 7, Ink);
        }
    }

    private static XImage SignatureImage(int partyNumber, byte[] png)
    {
        try
        {
            return XImage.FromStream(new MemoryStream(png));
        }
        catch (InvalidOperationException ex)
        {
            // PDFsharp reads 8-bit RGB(A) and gray PNGs, what a browser canvas gives; not palette or 16-bit ones.
            throw new ArgumentException($"The document cannot be rendered: Parties[{partyNumber}].SignaturePng is a PNG that cannot be embedded ({ex.Message}); send the canvas as 8-bit RGBA PNG.", nameof(png), ex);
        }
    }

    private static void Paragraphs(Writer w, string zh, string en, string text, double size)
    {
        w.Section(zh, en);
        w.Paragraph(text, size, Ink, indent: 6);
        w.Y += 6;
    }

    private static void Notice(Writer w)
    {
        w.Section("告知事项", "Notice of rights");
        w.Paragraph(ReviewNoticeZh, 9.5, Ink, indent: 6);
        w.Y += 2;
        w.Paragraph(ReviewNoticeEn, 7.5, Grey, indent: 6);
        w.Y += 6;
    }

    private void Closing(Writer w, AccidentDocumentModel m)
    {
        w.Need(44);
        var g = w.G;
        var t = w.Type;
        var y = w.Y;
        g.DrawLine(ThinRule, Left, y, Right, y);
        t.Draw(g, "交通警察", Left, y + 20, 10, Ink);
        t.Draw(g, "Traffic officer", Left, y + 30, 7, Grey);
        t.Draw(g, m.Officer.Name, Left + 70, y + 20, 10.5, Ink, bold: true);
        t.Draw(g, "警号", Left + 150, y + 20, 10, Ink);
        t.Draw(g, "Badge no.", Left + 150, y + 30, 7, Grey);
        t.Draw(g, m.Officer.BadgeNumber, Left + 180, y + 20, 10.5, Ink, bold: true);

        t.DrawRight(g, options.AuthorityName, Right, y + 20, 10, Ink);
        t.DrawRight(g, $"出具时间 Issued  {BeijingTime(m.IssuedAt)}", Right, y + 36, 9, Ink);
        w.Y = y + 44;
    }

    private static string LiabilitySentence(AccidentDocumentModel m) =>
        "责任认定：" + string.Join("；", m.Parties.OrderBy(p => p.PartyNumber)
            .Select(p => $"当事人{DocumentWords.PartyName(p.PartyNumber)}（{p.Plate}）{DocumentWords.LiabilityClause(p.Liability)}")) + "。";

    internal static string BeijingTime(DateTimeOffset at, bool compact = false)
    {
        var local = at.ToOffset(Beijing);
        return compact
            ? local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)
            : local.ToString("yyyy年M月d日 HH时mm分", CultureInfo.InvariantCulture) + "（UTC+8）";
    }

    /// <summary>Page state: the current page's graphics and the cursor, with page breaks and the footer.</summary>
    private sealed class Writer
    {
        private static readonly string[] Numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
        private readonly PdfDocument document;
        private int numeral;

        public Writer(PdfDocument document, Typesetter type)
        {
            this.document = document;
            Type = type;
            G = NewPage();
            Y = Top;
        }

        public Typesetter Type { get; }

        public XGraphics G { get; private set; }

        public double Y { get; set; }

        /// <summary>Starts a new page when <paramref name="height"/> does not fit on this one.</summary>
        public void Need(double height)
        {
            if (Y + height > Bottom)
            {
                G.Dispose();
                G = NewPage();
                Y = Top;
            }
        }

        /// <summary>A numbered heading (一、二、…); kept with at least two lines of what follows.</summary>
        public void Section(string zh, string en)
        {
            var number = Numerals[Math.Min(numeral++, Numerals.Length - 1)];
            Need(40);
            Type.Draw(G, $"{number}、{zh}", Left, Y + 12, 11.5, Ink, bold: true);
            Type.Draw(G, en, Left + Type.Width(G, $"{number}、{zh}", 11.5, bold: true) + 8, Y + 12, 8, Grey);
            Y += 18;
        }

        public void LabelCell(double x, double y, double width, double height, string zh, string en)
        {
            G.DrawRectangle(LabelFill, x, y, width, height);
            G.DrawRectangle(Rule, x, y, width, height);
            var zhSize = Type.FitSize(G, zh, width - 8, 9, 6.5);
            var enSize = Type.FitSize(G, en, width - 8, 6.5, 5);
            Type.Draw(G, zh, x + 4, y + (height / 2) - 0.5, zhSize, Ink);
            Type.Draw(G, en, x + 4, y + (height / 2) + 8.5, enSize, Grey);
        }

        public void ValueCell(double x, double y, double width, double height, string value, bool bold = false)
        {
            G.DrawRectangle(Rule, x, y, width, height);
            var size = Type.FitSize(G, value, width - 10, 10, 6.5, bold);
            Type.Draw(G, value, x + 5, y + (height / 2) + (size * 0.35), size, Ink, bold);
        }

        public void Paragraph(string text, double size, XBrush brush, double indent)
        {
            var lineHeight = size * 1.5;
            foreach (var line in Type.Wrap(G, text, ContentWidth - (2 * indent), size))
            {
                Need(lineHeight);
                Type.Draw(G, line, Left + indent, Y + size, size, brush);
                Y += lineHeight;
            }
        }

        /// <summary>Footer on every page, now that the page count is known.</summary>
        public void Finish(string url, string code)
        {
            G.Dispose();
            var count = document.PageCount;
            for (var i = 0; i < count; i++)
            {
                using var g = XGraphics.FromPdfPage(document.Pages[i], XGraphicsPdfPageOptions.Append);
                var y = PageHeight - 40;
                g.DrawLine(ThinRule, Left, y, Right, y);
                Type.Draw(g, $"验证 Verify: {url}    验证码 Code: {code}", Left, y + 13, 7.5, Grey);
                Type.DrawRight(g, $"第 {i + 1} 页 共 {count} 页  Page {i + 1} of {count}", Right, y + 13, 7.5, Grey);
            }
        }

        private XGraphics NewPage()
        {
            var page = document.AddPage();
            page.Size = PageSize.A4;
            return XGraphics.FromPdfPage(page);
        }
    }
}
