using System.Net.Http.Json;
using System.Text.Json;
using AccidentRemote.Server.Privacy;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Tests.Privacy;

/// <summary>PIPL consent on the API: no report or join without the driver's agreement to the current notice; the agreement is kept with the party.</summary>
public sealed class ConsentApiTests
{
    [Fact]
    public async Task A_report_or_join_without_consent_is_refused_in_the_drivers_language_and_one_with_it_is_stored_with_the_party()
    {
        using var app = TestApp.Embedded();
        var client = app.CreateClient();

        var bare = Api.Report();
        bare.Remove("consent");
        var zh = await client.PostJsonAsync("/api/cases", bare, 400);
        Assert.Equal("请先阅读并同意个人信息告知。", zh.GetProperty("title").GetString());
        Assert.Contains("我同意", zh.GetProperty("errors").GetProperty("consent")[0].GetString(), StringComparison.Ordinal);

        using var english = new HttpRequestMessage(HttpMethod.Post, "/api/cases") { Content = JsonContent.Create(bare) };
        english.Headers.AcceptLanguage.ParseAdd("en");
        var en = await (await client.SendAsync(english)).JsonAsync(400);
        Assert.Contains("privacy notice", en.GetProperty("errors").GetProperty("consent")[0].GetString(), StringComparison.Ordinal);

        var notAgreed = Api.Report();
        notAgreed["consent"] = new Dictionary<string, object?> { ["noticeVersion"] = PrivacyNotice.Version, ["language"] = "zh-CN", ["agreed"] = false };
        await client.PostJsonAsync("/api/cases", notAgreed, 400);
        var outdated = Api.Report();
        outdated["consent"] = new Dictionary<string, object?> { ["noticeVersion"] = "2020-01-01", ["language"] = "zh-CN", ["agreed"] = true };
        var old = await client.PostJsonAsync("/api/cases", outdated, 400);
        Assert.Contains("已更新", old.GetProperty("errors").GetProperty("consent")[0].GetString(), StringComparison.Ordinal);

        var report = await client.PostJsonAsync("/api/cases", Api.Report(), 201);
        var code = report.GetProperty("joinCode").GetString()!;
        var bareJoin = Api.Join(code);
        bareJoin.Remove("consent");
        await client.PostJsonAsync("/api/cases/join", bareJoin, 400);
        var join = Api.Join(code);
        join["consent"] = Api.Consent("en");
        await client.PostJsonAsync("/api/cases/join", join, 201);

        var officer = await app.OfficerClientAsync();
        var caseView = await officer.GetJsonAsync($"/api/cases/{report.GetProperty("caseId").GetString()}");
        var consents = caseView.GetProperty("parties").EnumerateArray().Select(p => p.GetProperty("consent")).ToList();
        Assert.Equal(2, consents.Count);
        Assert.All(consents, c => Assert.Equal(PrivacyNotice.Version, c.GetProperty("noticeVersion").GetString()));
        Assert.Equal(["zh-CN", "en"], consents.Select(c => c.GetProperty("language").GetString()));
        Assert.All(consents, c => Assert.True(DateTimeOffset.UtcNow - c.GetProperty("at").GetDateTimeOffset() < TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task The_notice_states_the_retention_the_server_is_configured_with()
    {
        using var app = TestApp.Embedded(extra: new()
        {
            ["Privacy:Retention:EvidenceFiles"] = "90.00:00:00",
            ["Privacy:Retention:PersonalData"] = "200.00:00:00",
        });
        var notice = await app.CreateClient().GetJsonAsync("/api/privacy/notice");
        Assert.Equal(PrivacyNotice.Version, notice.GetProperty("version").GetString());
        Assert.Equal(90, notice.GetProperty("retention").GetProperty("evidenceFilesDays").GetInt32());
        Assert.Equal(200, notice.GetProperty("retention").GetProperty("personalDataDays").GetInt32());
    }

    [Fact]
    public void The_pages_notice_words_carry_the_version_the_server_asks_for()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "AccidentRemote.sln")))
        {
            root = root.Parent!;
        }

        foreach (var language in PrivacyNotice.Languages)
        {
            var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(root.FullName, "src", "AccidentRemote.Server", "ClientApp", "src", "i18n", $"{language}.json")));
            Assert.Equal(PrivacyNotice.Version, json.RootElement.GetProperty("consent.version").GetString());
        }
    }

    [Theory]
    [InlineData("Privacy:Retention:EvidenceFiles", "00:10:00", "Privacy:Retention:EvidenceFiles must be between")]
    [InlineData("Privacy:Retention:PersonalData", "4000.00:00:00", "Privacy:Retention:PersonalData must be between")]
    [InlineData("Privacy:PurgeInterval", "-00:01:00", "Privacy:PurgeInterval must be between")]
    public void A_bad_retention_setting_fails_the_start_naming_it(string key, string value, string expected)
    {
        using var app = TestApp.Embedded(extra: new() { [key] = value });
        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var all = ex is OptionsValidationException o ? string.Join(" ", o.Failures) : ex.ToString();
        Assert.Contains(expected, all, StringComparison.Ordinal);
    }
}
