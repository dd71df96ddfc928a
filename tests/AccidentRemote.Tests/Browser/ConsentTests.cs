using System.Text.Json;
using AccidentRemote.Server.Privacy;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Playwright;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>
/// PIPL on the driver page: the privacy notice comes before location, camera and microphone are
/// asked for, states the server's retention, and the agreement is stored with the party.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class ConsentTests(Chromium chromium) : IClassFixture<Chromium>
{
    /// <summary>Records, in order, every request for location or camera/microphone and the press of "I agree".</summary>
    private const string CaptureLog = """
(() => {
  const log = window.__capture = [];
  window.addEventListener('click', (e) => {
    const t = e.target instanceof Element ? e.target.closest('[data-testid]') : null;
    if (t && t.dataset.testid === 'consent-agree') log.push('agree');
  }, true);
  const g = navigator.geolocation;
  if (g) {
    const get = g.getCurrentPosition.bind(g), watch = g.watchPosition.bind(g);
    g.getCurrentPosition = (...a) => { log.push('geolocation'); return get(...a); };
    g.watchPosition = (...a) => { log.push('geolocation'); return watch(...a); };
  }
  const m = navigator.mediaDevices;
  if (m) {
    const gum = m.getUserMedia.bind(m);
    m.getUserMedia = (...a) => { log.push('getUserMedia'); return gum(...a); };
  }
})();
""";

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("en")]
    public async Task The_notice_is_shown_before_any_permission_is_asked_for_and_the_consent_is_stored_with_the_case(string language)
    {
        await using var s = Start(chromium, new()
        {
            ["Privacy:Retention:EvidenceFiles"] = "90.00:00:00",
            ["Privacy:Retention:PersonalData"] = "200.00:00:00",
        });
        var driver = await s.PhoneThroughAsync(s.BaseUrl, CaptureLog);
        await WaitForBodyAsync(driver, "screen", "start");
        if (language == "en")
        {
            await driver.GetByTestId("lang-switch").ClickAsync();
        }

        await driver.GetByTestId("start-report").ClickAsync();
        await WaitForBodyAsync(driver, "screen", "consent");
        var texts = Texts(language);
        Assert.Equal(texts["consent.heading"], await driver.Locator("[data-testid=screen-consent] h1").InnerTextAsync());
        await driver.Locator("[data-testid=consent-keep-evidence]:not([hidden])").WaitForAsync();
        Assert.Equal(texts["consent.keep.evidence"].Replace("{days}", "90", StringComparison.Ordinal), await driver.GetByTestId("consent-keep-evidence").InnerTextAsync());
        Assert.Equal(texts["consent.keep.personal"].Replace("{days}", "200", StringComparison.Ordinal), await driver.GetByTestId("consent-keep-personal").InnerTextAsync());
        var notice = await driver.Locator("[data-testid=screen-consent]").InnerTextAsync();
        foreach (var key in new[] { "consent.what.video", "consent.what.photos", "consent.what.location", "consent.what.contact", "consent.what.identity", "consent.why", "consent.who.police", "consent.who.insurer" })
        {
            Assert.Contains(texts[key], notice, StringComparison.Ordinal);
        }

        Assert.Empty(await CaptureAsync(driver));
        await ScreenshotAsync(driver, language == "en" ? "driver-consent-en" : "driver-consent", fullPage: true);

        await driver.GetByTestId("consent-agree").ClickAsync();
        await AnswerTriageAsync(driver);
        await WaitForBodyAsync(driver, "screen", "form");
        var session = await ReportAsyncFromForm(driver);

        // The call: camera and microphone come only now, after the agreement.
        var console = await s.ConsoleAsync();
        await AcceptAsync(console, session.CaseId);
        await WaitForBodyAsync(driver, "callState", "connected");
        var capture = await CaptureAsync(driver);
        Assert.Equal("agree", capture[0]);
        Assert.Contains("geolocation", capture);
        Assert.Contains("getUserMedia", capture);

        // The officer sees, on the party's tile, that the notice was agreed to and in which language.
        var badge = console.Locator($"[data-testid=tile-1-consent][data-language=\"{language}\"]:not([hidden])");
        await badge.WaitForAsync();
        Assert.Equal(PrivacyNotice.Version, await badge.GetAttributeAsync("data-version"));
        if (language == "zh-CN")
        {
            await ScreenshotAsync(console, "console-consent");
        }

        using var officer = s.Client(await OfficerTokenAsync(console));
        var view = await officer.GetJsonAsync($"/api/cases/{session.CaseId}");
        var consent = view.GetProperty("parties")[0].GetProperty("consent");
        Assert.Equal(PrivacyNotice.Version, consent.GetProperty("noticeVersion").GetString());
        Assert.Equal(language, consent.GetProperty("language").GetString());
    }

    /// <summary>The form after the notice: the same steps as <see cref="CallScenario.ReportAsync"/> from the form on.</summary>
    private static async Task<DriverSession> ReportAsyncFromForm(IPage page)
    {
        await page.GetByTestId("phone").FillAsync("13812345678");
        await page.GetByTestId("plate").FillAsync("京A12345");
        await page.GetByTestId("vehicle-type").SelectOptionAsync("small-car");
        await page.Locator("[data-testid=number-of-parties] label:has(input[value=\"1\"])").ClickAsync();
        await page.GetByTestId("locate").ClickAsync();
        await page.Locator("[data-testid=location-status][data-located=true]").WaitForAsync();
        await page.GetByTestId("address").FillAsync("长安街与西单北大街路口");
        await page.GetByTestId("submit").ClickAsync();
        await WaitForBodyAsync(page, "screen", "waiting");
        return await SessionAsync(page);
    }

    private static async Task<string[]> CaptureAsync(IPage page) => await page.EvaluateAsync<string[]>("() => window.__capture.slice()");

    private static Dictionary<string, string> Texts(string language)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "AccidentRemote.sln")))
        {
            root = root.Parent!;
        }

        return JsonSerializer.Deserialize<Dictionary<string, string>>(
            File.ReadAllText(Path.Combine(root.FullName, "src", "AccidentRemote.Server", "ClientApp", "src", "i18n", $"{language}.json")))!;
    }
}
