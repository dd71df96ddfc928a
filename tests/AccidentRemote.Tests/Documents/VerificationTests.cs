using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AccidentRemote.Server.Data;
using AccidentRemote.Server.Documents;
using AccidentRemote.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Tests.Documents;

/// <summary>Issue a document through the real app on SQLite and PostgreSQL, then verify it as the public would.</summary>
public sealed class VerificationTests
{
    [Theory]
    [BothDatabases]
    public async Task An_issued_document_verifies_as_genuine_with_hash_and_issue_time_and_no_personal_data(DatabaseProvider provider)
    {
        await using var host = await Host.StartAsync(provider);
        var (issued, _) = await host.IssueAsync();

        var page = await host.Client.GetAsync($"/verify/{issued.VerificationCode}");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("真实的道路交通事故认定书", html, StringComparison.Ordinal);
        Assert.Contains("genuine document", html, StringComparison.Ordinal);
        Assert.Contains(issued.Number, html, StringComparison.Ordinal);
        Assert.Contains($"<code id=\"sha256\">{issued.Sha256}</code>", html, StringComparison.Ordinal);
        Assert.Contains(issued.IssuedAt.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), html, StringComparison.Ordinal);
        Assert.Contains("排队中 Waiting", html, StringComparison.Ordinal);
        AssertNoPersonalData(html);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        // The JSON endpoint states the same facts, and no more.
        var json = await host.Client.GetJsonAsync($"/api/verify/{issued.VerificationCode.ToLowerInvariant()}");
        Assert.True(json.GetProperty("genuine").GetBoolean());
        Assert.Equal("genuine", json.GetProperty("result").GetString());
        Assert.Equal(issued.Number, json.GetProperty("documentNumber").GetString());
        Assert.Equal(issued.Sha256, json.GetProperty("sha256").GetString());
        Assert.Equal(issued.IssuedAt, json.GetProperty("issuedAt").GetDateTimeOffset());
        Assert.Equal("queued", json.GetProperty("caseStatus").GetString());
        Assert.True(json.GetProperty("storedCopyIntact").GetBoolean());
        AssertNoPersonalData(json.GetRawText());
    }

    [Theory]
    [BothDatabases]
    public async Task Uploading_the_exact_PDF_says_unaltered_and_one_flipped_byte_says_altered(DatabaseProvider provider)
    {
        await using var host = await Host.StartAsync(provider);
        var (issued, pdf) = await host.IssueAsync();
        Assert.Equal(DocumentStore.Sha256Hex(pdf), issued.Sha256);
        Assert.Contains(issued.VerificationCode, PdfReading.Text(pdf), StringComparison.Ordinal);

        var same = await host.UploadPageAsync(issued.VerificationCode, pdf);
        Assert.Contains("文件真实且未被篡改", same, StringComparison.Ordinal);
        Assert.Contains("genuine and unaltered", same, StringComparison.Ordinal);
        Assert.DoesNotContain("ALTERED", same, StringComparison.Ordinal);

        var flipped = (byte[])pdf.Clone();
        flipped[flipped.Length / 2] ^= 0x01;
        var altered = await host.UploadPageAsync(issued.VerificationCode, flipped);
        Assert.Contains("文件已被篡改", altered, StringComparison.Ordinal);
        Assert.Contains("ALTERED", altered, StringComparison.Ordinal);
        Assert.Contains(DocumentStore.Sha256Hex(flipped), altered, StringComparison.Ordinal);
        Assert.DoesNotContain("genuine and unaltered", altered, StringComparison.Ordinal);

        var jsonSame = await (await host.Client.PostAsync($"/api/verify/{issued.VerificationCode}", Form(pdf))).JsonAsync(200);
        Assert.Equal("unaltered", jsonSame.GetProperty("upload").GetProperty("result").GetString());
        var jsonAltered = await (await host.Client.PostAsync($"/api/verify/{issued.VerificationCode}", Form(flipped))).JsonAsync(200);
        Assert.Equal("altered", jsonAltered.GetProperty("upload").GetProperty("result").GetString());
        Assert.False(jsonAltered.GetProperty("upload").GetProperty("unaltered").GetBoolean());
    }

    [Theory]
    [BothDatabases]
    public async Task A_stored_copy_changed_after_issue_is_reported_as_altered(DatabaseProvider provider)
    {
        await using var host = await Host.StartAsync(provider);
        var (issued, pdf) = await host.IssueAsync();
        var tampered = (byte[])pdf.Clone();
        tampered[100] ^= 0x20;
        await using (var c = await host.App.Services.GetRequiredService<Db>().OpenAsync())
        {
            // Nothing in the application updates documents; this is someone with database access.
            await c.ExecuteAsync("UPDATE documents SET pdf = @tampered WHERE id = @Id", new { tampered, issued.Id });
        }

        var html = await (await host.Client.GetAsync($"/verify/{issued.VerificationCode}")).Content.ReadAsStringAsync();
        Assert.Contains("存档副本已被篡改", html, StringComparison.Ordinal);
        Assert.DoesNotContain("真实的道路交通事故认定书", html, StringComparison.Ordinal);
        var json = await host.Client.GetJsonAsync($"/api/verify/{issued.VerificationCode}");
        Assert.False(json.GetProperty("genuine").GetBoolean());
        Assert.Equal("stored-copy-altered", json.GetProperty("result").GetString());
    }

    [Theory]
    [BothDatabases]
    public async Task A_second_issue_for_a_case_is_the_next_version_and_marks_the_first_superseded(DatabaseProvider provider)
    {
        await using var host = await Host.StartAsync(provider);
        var (first, _) = await host.IssueAsync();
        var second = await host.Store.IssueAsync(host.CaseId, SampleDocument.Model(), CancellationToken.None);

        Assert.Equal(1, first.Version);
        Assert.Equal(2, second.Version);
        Assert.NotEqual(first.VerificationCode, second.VerificationCode);
        Assert.NotEqual(first.Number, second.Number);
        var old = await host.Client.GetJsonAsync($"/api/verify/{first.VerificationCode}");
        Assert.True(old.GetProperty("superseded").GetBoolean());
        Assert.Equal(2, old.GetProperty("latestVersion").GetInt32());
        Assert.Equal([2, 1], (await host.Store.ListForCaseAsync(host.CaseId, CancellationToken.None)).Select(d => d.Version));
        Assert.Equal(DocumentStore.Sha256Hex((await host.Store.GetPdfAsync(second.Id, CancellationToken.None))!), second.Sha256);
    }

    [Fact]
    public async Task An_unknown_or_malformed_code_is_404_and_is_escaped_on_the_page()
    {
        await using var host = await Host.StartAsync(DatabaseProvider.Sqlite);

        var unknown = await host.Client.GetAsync("/verify/ABCDEFGHJK");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("未找到该验证码", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var json = await host.Client.GetAsync("/api/verify/ABCDEFGHJK");
        Assert.Equal(HttpStatusCode.NotFound, json.StatusCode);
        Assert.Equal("application/problem+json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.PostAsync("/verify/ABCDEFGHJK", Form([1, 2, 3]))).StatusCode);

        var hostile = await host.Client.GetAsync("/verify/" + Uri.EscapeDataString("\"><img src=x onerror=alert(1)>"));
        var html = await hostile.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.NotFound, hostile.StatusCode);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upload_without_a_file_or_over_the_size_limit_is_refused_with_the_reason()
    {
        await using var host = await Host.StartAsync(DatabaseProvider.Sqlite);
        var (issued, _) = await host.IssueAsync();
        var max = host.App.Services.GetRequiredService<IOptions<DocumentOptions>>().Value.MaxUploadBytes;

        var empty = await host.Client.PostAsync($"/verify/{issued.VerificationCode}", new MultipartFormDataContent { { new StringContent("x"), "other" } });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("请选择要核验的 PDF 文件", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var large = await host.Client.PostAsync($"/api/verify/{issued.VerificationCode}", Form(new byte[max + 1]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
    }

    [Fact]
    public async Task Uploads_are_rate_limited_per_address()
    {
        await using var host = await Host.StartAsync(DatabaseProvider.Sqlite, new() { ["Documents:UploadsPerMinutePerAddress"] = "2" });
        var (issued, pdf) = await host.IssueAsync();

        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync($"/verify/{issued.VerificationCode}", Form(pdf))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync($"/verify/{issued.VerificationCode}", Form(pdf))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await host.Client.PostAsync($"/verify/{issued.VerificationCode}", Form(pdf))).StatusCode);
        // Looking the code up is a separate, larger allowance.
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync($"/verify/{issued.VerificationCode}")).StatusCode);
    }

    [Fact]
    public async Task Issuing_for_a_case_that_does_not_exist_is_refused()
    {
        await using var host = await Host.StartAsync(DatabaseProvider.Sqlite);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => host.Store.IssueAsync(Guid.NewGuid(), SampleDocument.Model(), CancellationToken.None));
        Assert.Contains("no case", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Documents:FontPath", "/nonexistent/uming.ttc", "Install Debian's package fonts-arphic-uming")]
    [InlineData("Documents:FontPath", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "has no glyphs for \"道路交通事故认定书\"")]
    [InlineData("Documents:LatinFontPath", "/nonexistent/DejaVuSans.ttf", "Install Debian's package fonts-dejavu-core")]
    [InlineData("Documents:SealImagePath", "/nonexistent/seal.png", "Documents:SealImagePath '/nonexistent/seal.png' does not exist")]
    [InlineData("Documents:SealImagePath", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", "is not a PNG image")]
    [InlineData("Documents:NumberPrefix", "JG-2026", "Documents:NumberPrefix must be 2 to 20 Chinese characters")]
    [InlineData("Documents:PublicBaseUrl", "accident.example.org", "Documents:PublicBaseUrl 'accident.example.org' must be an absolute http(s) URL")]
    public void A_bad_document_setting_fails_the_start_with_a_message_naming_it(string key, string value, string expected)
    {
        using var app = TestApp.Embedded(extra: new() { [key] = value });
        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var all = ex is OptionsValidationException o ? string.Join(" ", o.Failures) : ex.ToString();
        Assert.Contains(key, all, StringComparison.Ordinal);
        Assert.Contains(expected, all, StringComparison.Ordinal);
    }

    private static void AssertNoPersonalData(string text)
    {
        foreach (var candidate in new[] { text, WebUtility.HtmlDecode(text), Uri.UnescapeDataString(text), JsonSerializer.Deserialize<string>(JsonSerializer.Serialize(text))! })
        {
            foreach (var personal in SampleDocument.PersonalData)
            {
                Assert.DoesNotContain(personal, candidate, StringComparison.Ordinal);
            }
        }
    }

    private static MultipartFormDataContent Form(byte[] file)
    {
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        return new MultipartFormDataContent { { content, "file", "document.pdf" } };
    }

    /// <summary>The app on one database, with one reported case to issue documents for.</summary>
    private sealed class Host : IAsyncDisposable
    {
        private readonly PostgresDatabase? postgres;

        private Host(TestApp app, PostgresDatabase? postgres)
        {
            App = app;
            this.postgres = postgres;
            Client = app.CreateClient();
        }

        public TestApp App { get; }

        public HttpClient Client { get; }

        public Guid CaseId { get; private set; }

        public DocumentStore Store => App.Services.GetRequiredService<DocumentStore>();

        public static async Task<Host> StartAsync(DatabaseProvider provider, Dictionary<string, string?>? extra = null)
        {
            Host host;
            if (provider == DatabaseProvider.Postgres)
            {
                var pg = await PostgresDatabase.CreateAsync();
                var settings = new Dictionary<string, string?>
                {
                    ["Database:Provider"] = "Postgres",
                    ["Database:ConnectionString"] = pg.ConnectionString,
                    ["Bus:Transport"] = "InMemory",
                };
                foreach (var (k, v) in extra ?? [])
                {
                    settings[k] = v;
                }

                host = new Host(TestApp.WithSettings(settings), pg);
            }
            else
            {
                host = new Host(TestApp.Embedded(extra: extra), null);
            }

            // The sample's plates are used for the case too, so the page must hide what the database holds.
            var report = await host.Client.PostJsonAsync("/api/cases", Api.Report(SampleDocument.Plate1), 201);
            host.CaseId = Guid.Parse(report.GetProperty("caseId").GetString()!);
            return host;
        }

        public async Task<(IssuedDocument Issued, byte[] Pdf)> IssueAsync()
        {
            var issued = await Store.IssueAsync(CaseId, SampleDocument.Model(), CancellationToken.None);
            return (issued, (await Store.GetPdfAsync(issued.Id, CancellationToken.None))!);
        }

        public async Task<string> UploadPageAsync(string code, byte[] pdf)
        {
            var response = await Client.PostAsync($"/verify/{code}", Form(pdf));
            var html = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            AssertNoPersonalData(html);
            return html;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await App.DisposeAsync();
            if (postgres is not null)
            {
                await postgres.DisposeAsync();
            }
        }
    }
}
