using System.Text.Json;
using AccidentRemote.Tests.Evidence;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Playwright;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>
/// The driver's way into a case on a 360x740 phone (issue 13): the safety questions first, one per
/// screen; plate entry without a pinyin keyboard; the standard photos taken while queued; 长辈模式
/// and a high-contrast mode for sunlight.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class DriverIntakeTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const int PhoneHeight = 740;

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("en")]
    public async Task Safety_questions_come_first_one_per_screen_none_preselected_and_an_injury_goes_straight_to_122(string language)
    {
        await using var s = Start(chromium);
        var texts = Texts(language);
        var driver = await s.PhoneAsync();
        var posts = new List<string>();
        driver.Request += (_, r) =>
        {
            if (r.Method == "POST" && r.Url.Contains("/api/cases", StringComparison.Ordinal))
            {
                posts.Add(r.Url);
            }
        };
        await OpenStartAsync(driver, language);
        await driver.GetByTestId("start-report").ClickAsync();
        await AgreeToNoticeAsync(driver);

        // Question 1 of 3, alone on its screen, nothing chosen, before any data field.
        await WaitForBodyAsync(driver, "screen", "triage");
        Assert.Equal(texts["intake.triage.progress"].Replace("{n}", "1", StringComparison.Ordinal).Replace("{total}", "3", StringComparison.Ordinal),
            await driver.GetByTestId("triage-progress").InnerTextAsync());
        Assert.Equal(texts["triage.injured"], await driver.Locator("[data-testid=triage-injured] h1").InnerTextAsync());
        Assert.False(await driver.GetByTestId("triage-drivable").IsVisibleAsync());
        Assert.False(await driver.GetByTestId("triage-hazardous").IsVisibleAsync());
        Assert.False(await driver.GetByTestId("phone").IsVisibleAsync());
        Assert.Equal(0, await driver.Locator("[data-testid=screen-triage] [aria-pressed=true]").CountAsync());
        await AssertAnswersFitAsync(driver, "triage-injured");
        await ScreenshotAsync(driver, language == "en" ? "driver-triage-injured-en" : "driver-triage-injured");

        // Someone hurt: the 122 advice at once, nothing sent, no data asked.
        await driver.GetByTestId("triage-injured-yes").ClickAsync();
        await WaitForBodyAsync(driver, "screen", "escalated");
        Assert.Equal(texts["intake.advice.injuries"], await driver.GetByTestId("advice").InnerTextAsync());
        Assert.True(await driver.GetByTestId("call-122").IsVisibleAsync());
        Assert.Equal("tel:122", await driver.GetByTestId("call-122").GetAttributeAsync("href"));
        Assert.False(await driver.GetByTestId("escalated-kept").IsVisibleAsync());
        Assert.Empty(posts);
        await ScreenshotAsync(driver, language == "en" ? "driver-triage-escalated-en" : "driver-triage-escalated");

        // Back to the start: the questions begin again with nothing chosen; each answer shows the next question.
        await driver.GetByTestId("escalated-done").ClickAsync();
        await WaitForBodyAsync(driver, "screen", "start");
        await driver.GetByTestId("start-report").ClickAsync();
        await WaitForBodyAsync(driver, "screen", "triage");
        Assert.Equal(0, await driver.Locator("[data-testid=screen-triage] [aria-pressed=true]").CountAsync());
        await driver.GetByTestId("triage-injured-no").ClickAsync();
        await driver.Locator("[data-testid=triage-drivable]:visible").WaitForAsync();
        Assert.EndsWith("2/3", await driver.GetByTestId("triage-progress").InnerTextAsync(), StringComparison.Ordinal);
        await driver.GetByTestId("triage-drivable-yes").ClickAsync();
        await driver.Locator("[data-testid=triage-hazardous]:visible").WaitForAsync();
        Assert.EndsWith("3/3", await driver.GetByTestId("triage-progress").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("false", await driver.GetByTestId("triage-hazardous-no").GetAttributeAsync("aria-pressed"));
        Assert.Equal("false", await driver.GetByTestId("triage-hazardous-yes").GetAttributeAsync("aria-pressed"));
        await ScreenshotAsync(driver, language == "en" ? "driver-triage-hazardous-en" : "driver-triage-hazardous");
        await driver.GetByTestId("triage-hazardous-no").ClickAsync();

        // Then the data, shorter than before (2.4 phone screens with the triage in it).
        await WaitForBodyAsync(driver, "screen", "form");
        var formHeight = await driver.Locator("[data-testid=screen-form]").EvaluateAsync<double>("e => e.getBoundingClientRect().height");
        Assert.True(formHeight < 1.75 * PhoneHeight, $"the report form is {formHeight / PhoneHeight:0.00} phone screens tall");
        await ScreenshotAsync(driver, language == "en" ? "driver-form-en" : "driver-form", fullPage: true);

        // Back from the form goes to the last question, with its answer shown.
        await driver.GetByTestId("form-back").ClickAsync();
        await WaitForBodyAsync(driver, "screen", "triage");
        Assert.Equal("true", await driver.GetByTestId("triage-hazardous-no").GetAttributeAsync("aria-pressed"));
        Assert.Empty(posts);
    }

    [Fact]
    public async Task A_driver_told_to_call_122_may_still_leave_the_report_which_the_server_records_as_escalated()
    {
        await using var s = Start(chromium);
        var driver = await s.PhoneAsync();
        await OpenStartAsync(driver, "zh-CN");
        await driver.GetByTestId("start-report").ClickAsync();
        await AgreeToNoticeAsync(driver);
        await WaitForBodyAsync(driver, "screen", "triage");
        await driver.GetByTestId("triage-injured-no").ClickAsync();
        await driver.GetByTestId("triage-drivable-no").ClickAsync();
        await WaitForBodyAsync(driver, "screen", "escalated");
        Assert.Equal(Texts("zh-CN")["intake.advice.vehicles_not_drivable"], await driver.GetByTestId("advice").InnerTextAsync());

        await driver.GetByTestId("escalated-report").ClickAsync();
        await WaitForBodyAsync(driver, "screen", "form");
        await driver.GetByTestId("phone").FillAsync("13812345678");
        await driver.GetByTestId("plate").FillAsync("京A12345");
        await driver.GetByTestId("locate").ClickAsync();
        await driver.Locator("[data-testid=location-status][data-located=true]").WaitForAsync();
        var response = await driver.RunAndWaitForResponseAsync(() => driver.GetByTestId("submit").ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/api/cases", StringComparison.Ordinal));
        var sent = JsonDocument.Parse(response.Request.PostData!).RootElement.GetProperty("triage");
        Assert.False(sent.GetProperty("anyoneInjured").GetBoolean());
        Assert.False(sent.GetProperty("vehiclesDrivable").GetBoolean());
        Assert.True((await response.JsonAsync())!.Value.GetProperty("escalated").GetBoolean());
        await WaitForBodyAsync(driver, "screen", "escalated");
        await driver.Locator("[data-testid=escalated-kept]:visible").WaitForAsync();
        Assert.False(await driver.GetByTestId("escalated-report").IsVisibleAsync());
    }

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("en")]
    public async Task Both_plates_are_entered_with_the_province_picker_and_plate_keys_that_follow_the_plate_rule(string language)
    {
        await using var s = Start(chromium);
        var texts = Texts(language);
        var driver = await s.PhoneAsync();
        await OpenStartAsync(driver, language);
        await driver.GetByTestId("start-report").ClickAsync();
        await AgreeToNoticeAsync(driver);
        await AnswerTriageAsync(driver);
        await WaitForBodyAsync(driver, "screen", "form");
        await driver.GetByTestId("phone").FillAsync("13812345678");

        // Own plate: the provinces first (31, no 使/领), then letters without I and O and digits.
        await driver.GetByTestId("plate-keyboard-toggle").ClickAsync();
        var keyboard = driver.GetByTestId("plate-keyboard");
        await keyboard.Locator("[data-key]").First.WaitForAsync();
        Assert.Equal(texts["intake.plate.provinces"], await keyboard.Locator(".kb-title").InnerTextAsync());
        Assert.Equal(31, await keyboard.Locator("[data-key]").CountAsync());
        await ScreenshotAsync(driver, language == "en" ? "driver-plate-provinces-en" : "driver-plate-provinces");
        await keyboard.Locator("[data-key='京']").ClickAsync();
        await keyboard.Locator("[data-key='A']").WaitForAsync();
        Assert.Equal(texts["intake.plate.characters"], await keyboard.Locator(".kb-title").InnerTextAsync());
        Assert.Equal(0, await keyboard.Locator("[data-key='I'], [data-key='O']").CountAsync());
        Assert.True(await keyboard.Locator("[data-key='1']").IsDisabledAsync()); // the second character is a letter
        foreach (var key in new[] { "A", "1", "2", "3", "4" })
        {
            await keyboard.Locator($"[data-key='{key}']").ClickAsync();
        }

        Assert.True(await keyboard.Locator("[data-key='学']").IsEnabledAsync()); // last of an ordinary plate: 学 may end it
        Assert.False(await driver.GetByTestId("plate").EvaluateAsync<bool>("e => e === document.activeElement")); // no system keyboard
        await ScreenshotAsync(driver, language == "en" ? "driver-plate-keys-en" : "driver-plate-keys");
        await keyboard.Locator("[data-key='5']").ClickAsync();
        Assert.True(await keyboard.Locator("[data-key='学']").IsDisabledAsync()); // 京A12345学 is no plate
        Assert.True(await keyboard.Locator("[data-key='D']").IsEnabledAsync()); // 京A12345D is (large new-energy)
        Assert.Equal(texts["intake.plate.backspace"], await driver.GetByTestId("plate-keyboard-backspace").InnerTextAsync());
        await driver.GetByTestId("plate-keyboard-done").ClickAsync();
        await keyboard.WaitForAsync(new() { State = WaitForSelectorState.Hidden });
        Assert.Equal("京A12345", await driver.GetByTestId("plate").InputValueAsync());

        // The other car's plate: the same keys; a wrong key is taken back with delete.
        await driver.Locator("[data-testid=number-of-parties] label:has(input[value=\"2\"])").ClickAsync();
        await driver.GetByTestId("other-plate-keyboard-toggle").ClickAsync();
        var other = driver.GetByTestId("other-plate-keyboard");
        foreach (var key in new[] { "沪", "B", "6", "7", "9" })
        {
            await other.Locator($"[data-key='{key}']").ClickAsync();
        }

        await driver.GetByTestId("other-plate-keyboard-backspace").ClickAsync();
        foreach (var key in new[] { "8", "9", "0" })
        {
            await other.Locator($"[data-key='{key}']").ClickAsync();
        }

        Assert.Equal("沪B6789", (await driver.GetByTestId("other-plate").InputValueAsync())[..6]);
        await driver.GetByTestId("other-plate-keyboard-done").ClickAsync();

        // Typing still works (desktop users, tests): the keys and the field are one value.
        await driver.GetByTestId("locate").ClickAsync();
        await driver.Locator("[data-testid=location-status][data-located=true]").WaitForAsync();
        var response = await driver.RunAndWaitForResponseAsync(() => driver.GetByTestId("submit").ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/api/cases", StringComparison.Ordinal));
        Assert.Equal(201, response.Status);
        var body = JsonDocument.Parse(response.Request.PostData!).RootElement;
        Assert.Equal("京A12345", body.GetProperty("plate").GetString());
        Assert.Equal("沪B67890", body.GetProperty("otherPlate").GetString());
        await WaitForBodyAsync(driver, "screen", "waiting");
        var session = await SessionAsync(driver);
        using var party = s.Client(session.Token);
        var view = await party.GetJsonAsync($"/api/cases/{session.CaseId}");
        Assert.Equal("京A12345", view.GetProperty("parties")[0].GetProperty("plate").GetString());
    }

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("en")]
    public async Task While_queued_the_standard_photos_are_guided_with_samples_and_sent_with_their_shot(string language)
    {
        await using var s = Start(chromium);
        var texts = Texts(language);
        var driver = await s.PhoneAsync();
        await OpenStartAsync(driver, language);
        var session = await ReportAsync(driver, "京A12345");

        // Five shots, each with its sample drawing (a static file, loaded) and a take-photo button.
        var card = driver.GetByTestId("shots-card");
        Assert.Equal(texts["intake.shots.heading"], await card.Locator("h2").InnerTextAsync());
        string[] shots = ["front", "rear", "collision-point", "panorama", "plates"];
        Assert.Equal(shots, await driver.Locator("[data-testid=shot-list] > li").EvaluateAllAsync<string[]>("ls => ls.map(l => l.dataset.shot)"));
        foreach (var shot in shots)
        {
            var sample = driver.Locator($"[data-testid=shot-{shot}] img.sample");
            await Eventually.Until(() => sample.EvaluateAsync<int>("i => i.complete ? i.naturalWidth : 0"), w => w > 0, $"the sample of {shot} to load");
            Assert.Equal(texts["intake.shots.sample"].Replace("{shot}", texts[$"intake.shots.{shot}.label"], StringComparison.Ordinal), await sample.GetAttributeAsync("alt"));
        }

        Assert.Equal(texts["intake.shots.take"], await driver.Locator("[data-testid=shot-front] .shot-take span").InnerTextAsync());
        await driver.GetByTestId("shot-front").ScrollIntoViewIfNeededAsync();
        await ScreenshotAsync(driver, language == "en" ? "driver-shots-en" : "driver-shots");

        // The front, taken while queued: sent as evidence of this party with its shot, its thumbnail shown.
        await driver.GetByTestId("shot-input-front").SetInputFilesAsync(new FilePayload { Name = "front.jpg", MimeType = "image/jpeg", Buffer = TestFiles.PhotoJpeg(640, 480) });
        await driver.Locator("[data-testid=shot-front][data-sent=true]").WaitForAsync();
        var thumb = driver.GetByTestId("shot-thumb-front");
        await Eventually.Until(() => thumb.EvaluateAsync<int>("i => i.complete ? i.naturalWidth : 0"), w => w == 640, "the thumbnail of the photo sent");
        Assert.Equal(texts["intake.shots.sent"], await driver.GetByTestId("shot-status-front").InnerTextAsync());
        Assert.Equal(texts["intake.shots.retake"], await driver.Locator("[data-testid=shot-front] .shot-take span").InnerTextAsync());
        Assert.Equal(texts["intake.shots.progress"].Replace("{n}", "1", StringComparison.Ordinal).Replace("{total}", "5", StringComparison.Ordinal),
            await driver.GetByTestId("shots-progress").InnerTextAsync());
        Assert.Equal("queued", (await SessionViewAsync(s, session)).GetProperty("status").GetString());
        using var party = s.Client(session.Token);
        var items = await party.GetJsonAsync($"/api/cases/{session.CaseId}/evidence");
        var item = Assert.Single(items.EnumerateArray());
        Assert.Equal("front", item.GetProperty("angle").GetString());
        Assert.Equal("photo", item.GetProperty("kind").GetString());
        Assert.Equal(session.PartyId, item.GetProperty("partyId").GetString());
        await driver.GetByTestId("shot-front").ScrollIntoViewIfNeededAsync();
        await ScreenshotAsync(driver, language == "en" ? "driver-shots-sent-en" : "driver-shots-sent");

        // After a reload the thumbnail of what was sent comes back from the server.
        await driver.ReloadAsync();
        await WaitForBodyAsync(driver, "screen", "waiting");
        await driver.Locator("[data-testid=shot-front][data-sent=true]").WaitForAsync();
        await Eventually.Until(() => driver.GetByTestId("shot-thumb-front").EvaluateAsync<int>("i => i.complete ? i.naturalWidth : 0"), w => w == 640, "the thumbnail after a reload");
        Assert.Equal("false", await driver.GetByTestId("shot-rear").GetAttributeAsync("data-sent"));
    }

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("en")]
    public async Task Elder_mode_and_high_contrast_are_toggled_from_start_and_header_and_remembered(string language)
    {
        await using var s = Start(chromium);
        var texts = Texts(language);
        var driver = await s.PhoneAsync();
        await OpenStartAsync(driver, language);
        Assert.Equal(texts["intake.display.elder"], await driver.GetByTestId("start-elder").InnerTextAsync());
        Assert.Equal(texts["intake.display.contrast"], await driver.GetByTestId("start-contrast").InnerTextAsync());
        Assert.Equal(texts["intake.display.elder"], await driver.GetByTestId("header-elder").GetAttributeAsync("title"));
        Assert.Equal(20, await FontSizeAsync(driver, "body"));
        await ScreenshotAsync(driver, language == "en" ? "driver-start-en" : "driver-start");

        // 长辈模式: body ≥ 24 px, answers ≥ 60 px tall, secondary text hidden; remembered over a reload.
        await driver.GetByTestId("start-elder").ClickAsync();
        Assert.Equal("on", await driver.EvaluateAsync<string?>("() => document.documentElement.dataset.elder"));
        Assert.Equal("true", await driver.GetByTestId("header-elder").GetAttributeAsync("aria-pressed"));
        Assert.True(await FontSizeAsync(driver, "body") >= 24);
        await ScreenshotAsync(driver, language == "en" ? "driver-start-elder-en" : "driver-start-elder");
        await driver.ReloadAsync();
        await WaitForBodyAsync(driver, "screen", "start");
        Assert.Equal("on", await driver.EvaluateAsync<string?>("() => document.documentElement.dataset.elder"));
        Assert.Equal("true", await driver.GetByTestId("start-elder").GetAttributeAsync("aria-pressed"));
        await driver.GetByTestId("start-report").ClickAsync();
        await AgreeToNoticeAsync(driver);
        await WaitForBodyAsync(driver, "screen", "triage");
        Assert.False(await driver.Locator("[data-testid=triage-injured] .secondary-text").IsVisibleAsync());
        Assert.True(await FontSizeAsync(driver, "[data-testid=triage-injured] h1") >= 34);
        foreach (var id in new[] { "triage-injured-yes", "triage-injured-no", "triage-back" })
        {
            var box = (await driver.GetByTestId(id).BoundingBoxAsync())!;
            Assert.True(box.Height >= 60, $"{id} is {box.Height} px tall");
        }

        await AssertAnswersFitAsync(driver, "triage-injured");
        await ScreenshotAsync(driver, language == "en" ? "driver-triage-elder-en" : "driver-triage-elder");
        await driver.GetByTestId("triage-injured-no").ClickAsync();
        await driver.GetByTestId("triage-drivable-yes").ClickAsync();
        await driver.GetByTestId("triage-hazardous-no").ClickAsync();
        await WaitForBodyAsync(driver, "screen", "form");
        await driver.GetByTestId("plate-keyboard-toggle").ClickAsync();
        var key = (await driver.Locator("[data-testid=plate-keyboard] [data-key='京']").BoundingBoxAsync())!;
        Assert.True(key.Height >= 60 && key.Width >= 44, $"a plate key is {key.Width}x{key.Height}");
        await ScreenshotAsync(driver, language == "en" ? "driver-plate-elder-en" : "driver-plate-elder");

        // High contrast from the header: black bar, black ink; off again from the header, and remembered off.
        await driver.GetByTestId("header-contrast").ClickAsync();
        Assert.Equal("on", await driver.EvaluateAsync<string?>("() => document.documentElement.dataset.contrast"));
        Assert.Equal("rgb(0, 0, 0)", await driver.Locator("header.bar").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        Assert.Equal("rgb(0, 0, 0)", await driver.Locator("body").EvaluateAsync<string>("e => getComputedStyle(e).color"));
        await driver.GetByTestId("plate-keyboard-done").ClickAsync();
        await ScreenshotAsync(driver, language == "en" ? "driver-form-contrast-en" : "driver-form-contrast");
        await driver.GetByTestId("header-elder").ClickAsync();
        Assert.Equal(20, await FontSizeAsync(driver, "body"));
        await driver.ReloadAsync();
        await WaitForBodyAsync(driver, "screen", "start");
        Assert.Null(await driver.EvaluateAsync<string?>("() => document.documentElement.dataset.elder ?? null"));
        Assert.Equal("on", await driver.EvaluateAsync<string?>("() => document.documentElement.dataset.contrast"));
        Assert.Equal("true", await driver.GetByTestId("start-contrast").GetAttributeAsync("aria-pressed"));
        await ScreenshotAsync(driver, language == "en" ? "driver-start-contrast-en" : "driver-start-contrast");
    }

    private static async Task OpenStartAsync(IPage driver, string language)
    {
        await WaitForBodyAsync(driver, "screen", "start");
        if (language == "en")
        {
            await driver.GetByTestId("lang-switch").ClickAsync();
        }
    }

    /// <summary>Both answers of a question are on the first screen of a 360x740 phone, side by side, at least 60 px tall.</summary>
    private static async Task AssertAnswersFitAsync(IPage driver, string step)
    {
        var yes = (await driver.GetByTestId($"{step}-yes").BoundingBoxAsync())!;
        var no = (await driver.GetByTestId($"{step}-no").BoundingBoxAsync())!;
        Assert.True(yes.Height >= 60 && no.Height >= 60, $"answers {yes.Height} and {no.Height} px tall");
        Assert.True(yes.Y + yes.Height <= PhoneHeight && no.Y + no.Height <= PhoneHeight, $"answers end at {yes.Y + yes.Height} px");
        Assert.Equal(yes.Y, no.Y);
    }

    private static Task<double> FontSizeAsync(IPage page, string selector) =>
        page.Locator(selector).First.EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).fontSize)");

    private static async Task<JsonElement> SessionViewAsync(CallScenario s, DriverSession session)
    {
        using var party = s.Client(session.Token);
        return await party.GetJsonAsync($"/api/cases/{session.CaseId}");
    }

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
