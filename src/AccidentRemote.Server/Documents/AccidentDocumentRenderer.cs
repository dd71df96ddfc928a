using System.Globalization;
using AccidentRemote.Server.Cases;
using Microsoft.Extensions.Options;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace AccidentRemote.Server.Documents;

/// <summary>
/// Renders the 道路交通事故认定书（简易程序） as an A4 PDF laid out as the GA 40 template has it: Chinese
/// labels (English beside them only with <see cref="DocumentOptions.EnglishLabels"/>), a serif CJK face and
/// a Latin one embedded as subsets (with ToUnicode maps, so the text can be searched and copied), each
/// party's signature, the officer's 警号, the unit's seal, and a QR code to the public verification page.
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
    private readonly byte[]? seal;

    public AccidentDocumentRenderer(IOptions<DocumentOptions> options)
    {
        this.options = options.Value;
        fonts = new DocumentFonts(this.options.FontPath, this.options.LatinFontPath);
        seal = string.IsNullOrEmpty(this.options.SealImagePath) ? null : File.ReadAllBytes(this.options.SealImagePath);
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

        var writer = new Writer(document, new Typesetter(fonts), options.EnglishLabels);
        var url = options.VerificationUrl(model.VerificationCode);
        Header(writer, model);
        Basics(writer, model);
        Parties(writer, model);
        Passage(writer, "交通事故事实及责任", "Facts and liability", model.Facts + "\n" + LiabilitySentence(model), 10.5);
        Signatures(writer, model);
        Passage(writer, "损害赔偿调解结果", "Result of mediation on compensation",
            string.IsNullOrWhiteSpace(model.MediationResult) ? writer.Label("当事人未申请调解。", "No mediation was requested.") : model.MediationResult, 10.5);
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

        // QR code, top right, with the code under it: the product's addition to the template, for checking the paper.
        const double qr = 70;
        var qrX = Right - qr;
        using (var image = XImage.FromStream(new MemoryStream(VerificationCodes.QrBitmap(options.VerificationUrl(m.VerificationCode)))))
        {
            g.DrawImage(image, qrX, Top - 8, qr, qr);
        }

        t.DrawCentered(g, w.Label("扫码验证", "Scan to verify"), qrX + (qr / 2), Top + qr + 1, 6.5, Grey);
        t.DrawCentered(g, m.VerificationCode, qrX + (qr / 2), Top + qr + 11, 8.5, Ink);

        var center = Left + (ContentWidth / 2);
        t.DrawCentered(g, "道路交通事故认定书", center, Top + 28, 21, Ink, bold: true);
        t.DrawCentered(g, "（简易程序）", center, Top + 50, 14, Ink, bold: true);
        if (options.EnglishLabels)
        {
            t.DrawCentered(g, "Road Traffic Accident Determination (Summary Procedure)", center, Top + 64, 8.5, Grey);
        }

        t.DrawRight(g, m.Number, qrX - 14, Top + 86, 11, Ink);
        w.Y = Top + qr + 24;
    }

    private static void Basics(Writer w, AccidentDocumentModel m)
    {
        var row = w.English ? 26 : 24;
        const double label = 70;
        const double weatherLabel = 50;
        const double weather = 70;
        w.Need(row * 2);
        var y = w.Y;
        var time = ContentWidth - label - weatherLabel - weather;
        w.LabelCell(Left, y, label, row, "事故时间", "Time");
        w.ValueCell(Left + label, y, time, row, BeijingTime(m.AccidentTime));
        w.LabelCell(Left + label + time, y, weatherLabel, row, "天气", "Weather");
        w.ValueCell(Left + label + time + weatherLabel, y, weather, row, m.Weather);
        y += row;
        var place = m.Place.Address;
        if (m.Place.Latitude is { } lat && m.Place.Longitude is { } lon)
        {
            place += string.Create(CultureInfo.InvariantCulture, $"（{(lat >= 0 ? "北纬" : "南纬")}{Math.Abs(lat):0.00000}°，{(lon >= 0 ? "东经" : "西经")}{Math.Abs(lon):0.00000}°）");
        }

        w.LabelCell(Left, y, label, row, "事故地点", "Place");
        w.ValueCell(Left + label, y, ContentWidth - label, row, place);
        w.Y = y + row;
    }

    /// <summary>
    /// The parties as the template has them: one row each under the column heads 当事人, 驾驶证或身份证号码, 联系电话,
    /// 交通方式, 机动车型号、号牌号码, 保险凭证号, and the liability the officer decided.
    /// </summary>
    private static void Parties(Writer w, AccidentDocumentModel m)
    {
        (string Zh, string En, double Width)[] columns =
        [
            ("当事人", "Party", 50), ("驾驶证或身份证号码", "Licence / ID no.", 110), ("联系电话", "Phone", 76),
            ("交通方式", "Vehicle", 52), ("机动车号牌号码", "Plate", 74), ("保险公司及保险凭证号", "Insurer, policy no.", 95), ("责任", "Liability", 0),
        ];
        columns[^1].Width = ContentWidth - columns[..^1].Sum(c => c.Width);
        var head = w.English ? 30 : 24;
        const double row = 30;
        w.Need(head + row);
        var x = Left;
        foreach (var c in columns)
        {
            w.HeadCell(x, w.Y, c.Width, head, c.Zh, c.En);
            x += c.Width;
        }

        w.Y += head;
        foreach (var p in m.Parties.OrderBy(p => p.PartyNumber))
        {
            w.Need(row); // on a new page the rows go on as a continued table

            var liability = DocumentWords.Liability[p.Liability];
            string[][] cells =
            [
                [DocumentWords.PartyName(p.PartyNumber), p.Name],
                [p.LicenceOrIdNumber],
                [p.Phone],
                [DocumentWords.VehicleTypeZh(p.VehicleType)],
                [p.Plate],
                [p.InsurerName ?? "—", p.PolicyNumber ?? "—"],
                [w.English ? $"{liability.Zh} {liability.En}" : liability.Zh],
            ];
            x = Left;
            for (var i = 0; i < cells.Length; i++)
            {
                w.LinesCell(x, w.Y, columns[i].Width, row, cells[i], bold: i is 0 or 4 or 6);
                x += columns[i].Width;
            }

            w.Y += row;
        }

        w.Y += 10;
    }

    /// <summary>当事人签名: each party's signature, drawn on the phone, with its party letter and time; then the officer.</summary>
    private static void Signatures(Writer w, AccidentDocumentModel m)
    {
        const double boxHeight = 64;
        const double boxWidth = 112;
        var parties = m.Parties.OrderBy(p => p.PartyNumber).ToList();
        var perRow = (int)((ContentWidth - 70) / (boxWidth + 8));
        for (var start = 0; start < parties.Count; start += perRow)
        {
            w.Need(boxHeight + 14);
            var y = w.Y;
            if (start == 0)
            {
                w.Type.Draw(w.G, w.Label("当事人签名：", "Signatures:"), Left, y + 14, 10.5, Ink, bold: true);
            }

            var x = Left + 78;
            foreach (var p in parties.Skip(start).Take(perRow))
            {
                Signature(w, p, x, y, boxWidth, boxHeight);
                x += boxWidth + 8;
            }

            w.Y = y + boxHeight + 8;
        }
    }

    private static void Signature(Writer w, DocumentParty p, double x, double y, double width, double height)
    {
        var g = w.G;
        g.DrawRectangle(ThinRule, x, y, width, height);
        w.Type.Draw(g, $"当事人{DocumentWords.PartyName(p.PartyNumber)}", x + 4, y + 10, 8, Grey);
        var box = new XRect(x + 6, y + 13, width - 12, height - 27);
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
            w.Type.DrawCentered(g, w.Label("（未签名）", "(not signed)"), box.X + (box.Width / 2), box.Y + (box.Height / 2) + 3, 8, Grey);
        }

        if (p.SignedAt is { } signed)
        {
            w.Type.Draw(g, BeijingTime(signed, compact: true), x + 4, y + height - 4, 7, Grey);
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

    /// <summary>A labelled passage of the template, e.g. 交通事故事实及责任：, with its text indented under it.</summary>
    private static void Passage(Writer w, string zh, string en, string text, double size)
    {
        w.Heading(zh, en);
        w.Paragraph(text, size, Ink, indent: 2 * size);
        w.Y += 6;
    }

    private void Notice(Writer w)
    {
        w.Heading("告知事项", "Notice of rights");
        w.Paragraph(ReviewNoticeZh, 10, Ink, indent: 20);
        if (options.EnglishLabels)
        {
            w.Y += 2;
            w.Paragraph(ReviewNoticeEn, 7.5, Grey, indent: 20);
        }

        w.Y += 8;
    }

    /// <summary>The officer who decided, then the unit with its seal (or the place for it) and the date of issue.</summary>
    private void Closing(Writer w, AccidentDocumentModel m)
    {
        const double height = 96;
        w.Need(height);
        var g = w.G;
        var t = w.Type;
        var y = w.Y;
        t.Draw(g, w.Label("交通警察：", "Traffic officer:"), Left, y + 16, 10.5, Ink, bold: true);
        t.Draw(g, m.Officer.Name, Left + 70, y + 16, 11, Ink);
        t.Draw(g, w.Label("警号：", "Badge no.:"), Left + 150, y + 16, 10.5, Ink, bold: true);
        t.Draw(g, m.Officer.BadgeNumber, Left + 186, y + 16, 11, Ink);

        var unitCenter = Right - 110;
        if (seal is { } png)
        {
            // The seal over the unit's name and the date, as a stamp on paper is.
            using var image = XImage.FromStream(new MemoryStream(png));
            const double size = 84;
            g.DrawImage(image, unitCenter - (size / 2), y + 6, size, size);
        }
        else
        {
            t.DrawCentered(g, "（印章）", unitCenter, y + 40, 10, Grey);
        }

        t.DrawCentered(g, options.AuthorityName, unitCenter, y + 60, 10.5, Ink);
        t.DrawCentered(g, BeijingDate(m.IssuedAt), unitCenter, y + 78, 10.5, Ink);
        if (options.EnglishLabels)
        {
            t.DrawCentered(g, $"Issued {BeijingTime(m.IssuedAt, compact: true)} (UTC+8)", unitCenter, y + 90, 7, Grey);
        }

        w.Y = y + height;
    }

    private static string LiabilitySentence(AccidentDocumentModel m) =>
        "责任认定：" + string.Join("；", m.Parties.OrderBy(p => p.PartyNumber)
            .Select(p => $"当事人{DocumentWords.PartyName(p.PartyNumber)}（{p.Plate}）{DocumentWords.LiabilityClause(p.Liability)}")) + "。";

    internal static string BeijingTime(DateTimeOffset at, bool compact = false)
    {
        var local = at.ToOffset(Beijing);
        return compact
            ? local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)
            : local.ToString("yyyy年M月d日 HH时mm分", CultureInfo.InvariantCulture); // Beijing time, as every Chinese police document reads
    }

    internal static string BeijingDate(DateTimeOffset at) =>
        at.ToOffset(Beijing).ToString("yyyy年M月d日", CultureInfo.InvariantCulture);

    /// <summary>Page state: the current page's graphics and the cursor, with page breaks and the footer.</summary>
    private sealed class Writer
    {
        private readonly PdfDocument document;

        public Writer(PdfDocument document, Typesetter type, bool english)
        {
            this.document = document;
            Type = type;
            English = english;
            G = NewPage();
            Y = Top;
        }

        /// <summary>English beside the Chinese labels (<see cref="DocumentOptions.EnglishLabels"/>).</summary>
        public bool English { get; }

        /// <summary>The label as printed: Chinese, and the English after it when asked for.</summary>
        public string Label(string zh, string en) => English ? $"{zh} {en}" : zh;

        public Typesetter Type { get; }

        public XGraphics G { get; private set; }

        public double Y { get; set; }

        /// <summary>Starts a new page when <paramref name="height"/> does not fit on this one; true when it did.</summary>
        public bool Need(double height)
        {
            if (Y + height <= Bottom)
            {
                return false;
            }

            G.Dispose();
            G = NewPage();
            Y = Top;
            return true;
        }

        /// <summary>A passage's label (交通事故事实及责任：), kept with at least two lines of what follows.</summary>
        public void Heading(string zh, string en)
        {
            Need(44);
            Type.Draw(G, zh + "：", Left, Y + 13, 11.5, Ink, bold: true);
            if (English)
            {
                Type.Draw(G, en, Left + Type.Width(G, zh + "：", 11.5, bold: true) + 6, Y + 13, 8, Grey);
            }

            Y += 20;
        }

        /// <summary>A label cell: the Chinese centred, the English under it in small grey type when asked for.</summary>
        public void LabelCell(double x, double y, double width, double height, string zh, string en)
        {
            G.DrawRectangle(LabelFill, x, y, width, height);
            G.DrawRectangle(Rule, x, y, width, height);
            var zhSize = Type.FitSize(G, zh, width - 8, 10, 6.5);
            if (!English)
            {
                Type.DrawCentered(G, zh, x + (width / 2), y + (height / 2) + (zhSize * 0.35), zhSize, Ink);
                return;
            }

            var enSize = Type.FitSize(G, en, width - 8, 6.5, 5);
            Type.DrawCentered(G, zh, x + (width / 2), y + (height / 2) - 0.5, zhSize, Ink);
            Type.DrawCentered(G, en, x + (width / 2), y + (height / 2) + 8.5, enSize, Grey);
        }

        /// <summary>A column head of the parties' table: the label wrapped onto two lines if it must.</summary>
        public void HeadCell(double x, double y, double width, double height, string zh, string en)
        {
            G.DrawRectangle(LabelFill, x, y, width, height);
            G.DrawRectangle(Rule, x, y, width, height);
            const double size = 8.5;
            var lines = Type.Wrap(G, zh, width - 6, size);
            var english = English ? 1 : 0;
            var top = y + ((height - ((lines.Count + english) * (size + 2))) / 2) + size;
            foreach (var line in lines)
            {
                Type.DrawCentered(G, line, x + (width / 2), top, size, Ink);
                top += size + 2;
            }

            if (English)
            {
                Type.DrawCentered(G, en, x + (width / 2), top, Type.FitSize(G, en, width - 6, 6, 4.5), Grey);
            }
        }

        /// <summary>A cell of one or two lines, each shrunk to fit the width.</summary>
        public void LinesCell(double x, double y, double width, double height, string[] lines, bool bold = false)
        {
            G.DrawRectangle(Rule, x, y, width, height);
            var size = lines.Min(l => Type.FitSize(G, l, width - 8, lines.Length == 1 ? 10 : 9, 5.5, bold));
            var top = y + ((height - (lines.Length * (size + 2.5))) / 2) + size;
            foreach (var line in lines)
            {
                Type.DrawCentered(G, line, x + (width / 2), top, size, Ink, bold);
                top += size + 2.5;
            }
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
                Type.Draw(g, English ? $"验证 Verify: {url}    验证码 Code: {code}" : $"验证：{url}    验证码：{code}", Left, y + 13, 7.5, Grey);
                Type.DrawRight(g, English ? $"第 {i + 1} 页 共 {count} 页  Page {i + 1} of {count}" : $"第 {i + 1} 页 共 {count} 页", Right, y + 13, 7.5, Grey);
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
