using AccidentRemote.Server.Documents;
using Microsoft.Extensions.Options;
using UglyToad.PdfPig;

namespace AccidentRemote.Tests.Documents;

/// <summary>The PDF itself, read back with PdfPig and ZXing: what a viewer and a phone camera see.</summary>
public sealed class DocumentRenderingTests
{
    private static readonly DocumentOptions Options = new() { PublicBaseUrl = "https://accident.example.org" };
    private static readonly Lazy<byte[]> Sample = new(() =>
    {
        var pdf = Renderer().Render(SampleDocument.Issued());
        // For a person to look at (docs/screenshots/document-sample.png is made from it with pdftoppm).
        if (Environment.GetEnvironmentVariable("ACCIDENTREMOTE_SAMPLE_PDF") is { Length: > 0 } path)
        {
            File.WriteAllBytes(path, pdf);
        }

        return pdf;
    });

    internal static AccidentDocumentRenderer Renderer(DocumentOptions? options = null) =>
        new(Microsoft.Extensions.Options.Options.Create(options ?? Options));

    [Fact]
    public void A_two_party_document_has_plates_liability_words_number_and_code_as_searchable_text()
    {
        var text = PdfReading.Text(Sample.Value);

        Assert.Contains(SampleDocument.Plate1, text, StringComparison.Ordinal);
        Assert.Contains(SampleDocument.Plate2, text, StringComparison.Ordinal);
        Assert.Contains("道路交通事故认定书", text, StringComparison.Ordinal);
        Assert.Contains("（简易程序）", text, StringComparison.Ordinal);
        Assert.Contains("当事人甲（京A12345）负全部责任；当事人乙（沪AD12345）无责任。", text, StringComparison.Ordinal);
        Assert.Contains("京公交简认字〔2026〕第004711号", text, StringComparison.Ordinal);
        Assert.Contains("K7Q2MX9PRT", text, StringComparison.Ordinal);
        Assert.Contains("三日内", text, StringComparison.Ordinal);
        Assert.Contains("复核申请", text, StringComparison.Ordinal);
        Assert.Contains("中国人民财产保险", text, StringComparison.Ordinal);
        Assert.Contains("110101199003071234", text, StringComparison.Ordinal);
        Assert.Contains("王建国", text, StringComparison.Ordinal);
        Assert.Contains("警号：012345", text, StringComparison.Ordinal);
        Assert.Contains("2026年11月28日 09时30分", text, StringComparison.Ordinal);
        Assert.Contains("2026年11月28日", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_document_follows_the_GA_40_template_in_Chinese_and_adds_English_only_when_asked()
    {
        var text = PdfReading.Text(Sample.Value);

        // The template's labels and the parties' column heads, in its order.
        string[] labels = ["事故时间", "天气", "事故地点", "当事人", "驾驶证或身份证号码", "联系电话", "交通方式", "机动车号牌号码",
            "保险公司及保险凭证号", "责任", "交通事故事实及责任：", "当事人签名：", "损害赔偿调解结果：", "告知事项：", "交通警察：", "警号：", "（印章）"];
        var at = 0;
        foreach (var label in labels)
        {
            var found = text.IndexOf(label, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"'{label}' after position {at} in: {text}");
            at = found + label.Length;
        }

        // Not a word of English unless the centre asks for it.
        Assert.All(["Road", "Party", "Liability", "Signature", "Scan", "Place", "Weather", "Notice", "Issued", "Page", "Verify", "Code", "signed", "officer", "Badge"],
            word => Assert.DoesNotContain(word, text, StringComparison.Ordinal));
        var english = PdfReading.Text(Renderer(new DocumentOptions { PublicBaseUrl = "https://accident.example.org", EnglishLabels = true }).Render(SampleDocument.Issued()));
        Assert.Contains("Road Traffic Accident Determination (Summary Procedure)", english, StringComparison.Ordinal);
        Assert.Contains("Liability", english, StringComparison.Ordinal);
        Assert.Contains("A party who disagrees", english, StringComparison.Ordinal);
    }

    [Fact]
    public void The_units_seal_is_printed_where_the_template_has_it_when_one_is_set()
    {
        var seal = Path.Combine(Path.GetTempPath(), $"ar-seal-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(seal, SampleDocument.Signature(3));
        try
        {
            var pdf = Renderer(new DocumentOptions { PublicBaseUrl = "https://accident.example.org", SealImagePath = seal }).Render(SampleDocument.Issued());

            using var document = PdfDocument.Open(pdf);
            Assert.Equal(4, document.GetPage(1).GetImages().Count()); // the QR code, two signatures and the seal
            Assert.DoesNotContain("（印章）", PdfReading.Text(pdf), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(seal);
        }
    }

    [Theory]
    [InlineData("main", "主要", "负主要责任")]
    [InlineData("equal", "同等", "负同等责任")]
    [InlineData("minor", "次要", "负次要责任")]
    [InlineData("undetermined", "无法认定", "责任无法认定")]
    public void Each_liability_code_prints_its_Chinese_word(string code, string word, string clause)
    {
        var model = SampleDocument.Issued();
        model = model with { Parties = [.. model.Parties.Select(p => p with { Liability = code })] };

        var text = PdfReading.Text(Renderer().Render(model));

        // Party 甲's row: plate, insurer and policy number, then the liability column.
        Assert.Matches($"京A12345\\s*中国人民财产保险\\s*PDAA202611000001\\s*{word}", text);
        Assert.Contains($"当事人甲（京A12345）{clause}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_QR_code_embedded_in_the_PDF_decodes_to_the_verification_url()
    {
        var codes = PdfReading.QrCodes(Sample.Value);

        Assert.Equal(["https://accident.example.org/verify/K7Q2MX9PRT"], codes);
    }

    [Fact]
    public void Both_fonts_are_embedded_as_subsets_and_the_signatures_as_images()
    {
        using var document = PdfDocument.Open(Sample.Value);
        var page = document.GetPage(1);
        var fonts = page.Letters.Select(l => l.FontName ?? "").Distinct().ToList();

        // A subset font's name starts with six capitals and '+' (PDF 32000-1, 9.6.4).
        Assert.All(fonts, f => Assert.Matches("^[A-Z]{6}\\+", f));
        Assert.Contains(fonts, f => f.Contains("+AR PL UMing", StringComparison.Ordinal));
        Assert.Contains(fonts, f => f.EndsWith("+DejaVu Serif", StringComparison.Ordinal));
        Assert.Equal(3, page.GetImages().Count()); // the QR code and two signatures
        Assert.Equal(595, page.Width, 0);
        Assert.Equal(842, page.Height, 0);
    }

    [Fact]
    public void An_unsigned_party_is_printed_as_not_signed()
    {
        var model = SampleDocument.Issued();
        model = model with { Parties = [model.Parties[0], model.Parties[1] with { SignaturePng = null, SignedAt = null }] };

        var pdf = Renderer().Render(model);

        Assert.Contains("（未签名）", PdfReading.Text(pdf), StringComparison.Ordinal);
        using var document = PdfDocument.Open(pdf);
        Assert.Equal(2, document.GetPage(1).GetImages().Count());
    }

    [Fact]
    public void Many_parties_and_long_facts_flow_onto_a_second_page_with_footers_on_both()
    {
        var model = SampleDocument.Issued();
        model = model with
        {
            Parties = [.. Enumerable.Range(1, 5).Select(n => model.Parties[n % 2] with { PartyNumber = n })],
            Facts = string.Concat(Enumerable.Repeat(model.Facts, 4)),
        };

        var pdf = Renderer().Render(model);

        using var document = PdfDocument.Open(pdf);
        Assert.Equal(2, document.NumberOfPages);
        Assert.Contains("第 1 页 共 2 页", document.GetPage(1).Text, StringComparison.Ordinal);
        Assert.Contains("第 2 页 共 2 页", document.GetPage(2).Text, StringComparison.Ordinal);
        Assert.Contains("当事人戊", PdfReading.Text(pdf), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("liability")]
    [InlineData("signature")]
    [InlineData("code")]
    public void An_incomplete_model_is_refused_naming_the_field(string broken)
    {
        var model = SampleDocument.Issued();
        model = broken switch
        {
            "liability" => model with { Parties = [model.Parties[0] with { Liability = "most" }] },
            "signature" => model with { Parties = [model.Parties[0] with { SignaturePng = [1, 2, 3] }] },
            _ => model with { VerificationCode = "O0I1L" },
        };

        var ex = Assert.Throws<ArgumentException>(() => Renderer().Render(model));

        Assert.Contains(broken switch { "liability" => "Liability", "signature" => "SignaturePng", _ => "VerificationCode" }, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verification_codes_are_ten_unambiguous_characters_and_do_not_repeat()
    {
        var codes = Enumerable.Range(0, 2000).Select(_ => VerificationCodes.New()).ToList();

        Assert.All(codes, c => Assert.Matches("^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}$", c));
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.Equal("K7Q2MX9PRT", VerificationCodes.Normalize(" k7q2-mx9p rt "));
        Assert.Null(VerificationCodes.Normalize("K7Q2MX9PR0"));
    }
}
