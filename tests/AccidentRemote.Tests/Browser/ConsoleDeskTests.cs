using System.Globalization;
using System.Text.Json;
using AccidentRemote.Tests.Evidence;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>
/// Issue 13, the officer (points 12-16) at 1366x768 in both languages: the evidence gallery, the timers against
/// the targets and the per-party checklist, a key for every step with buttons gated by the state and a confirmation
/// before close and end call, canned phrases shown in the party's language, and a case panel that fits the screen.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class ConsoleDeskTests(Chromium chromium) : IClassFixture<Chromium>
{
    /// <summary>A server clock moved by hand: the stamps of a case can be made minutes old.</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Shift { get; set; }

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow + Shift;
    }

    /// <summary>The officer's console at 1366x768 in <paramref name="language"/> (the page starts in zh-CN).</summary>
    private static async Task<IPage> DeskAsync(CallScenario s, string language)
    {
        var console = await s.ConsoleAsync();
        await console.SetViewportSizeAsync(1366, 768);
        await SwitchToAsync(console, language);
        return console;
    }

    private static async Task SwitchToAsync(IPage page, string language)
    {
        if (await page.EvaluateAsync<string>("() => document.documentElement.lang") != language)
        {
            await page.GetByTestId("lang-switch").ClickAsync();
        }

        await page.WaitForFunctionAsync("l => document.documentElement.lang === l", language);
    }

    private static Task CaseStatusAsync(IPage console, string status) =>
        console.Locator($"[data-testid=case-status][data-status={status}]").WaitForAsync();

    private static Task DoneAsync(IPage console, string testId, bool done = true) =>
        console.Locator($"[data-testid={testId}][data-done={(done ? "true" : "false")}]").WaitForAsync();

    private static Task<bool> DialogOpenAsync(IPage page, string testId) =>
        page.EvaluateAsync<bool>("id => document.querySelector(`[data-testid=${id}]`).open", testId);

    private static async Task<(IPage Driver1, DriverSession First, IPage Driver2)> TwoDriversAsync(CallScenario s)
    {
        var driver1 = await s.PhoneAsync();
        var first = await ReportAsync(driver1, "京A12345", parties: 2, insurer: "picc");
        var link = driver1.GetByTestId("share-link");
        await link.WaitForAsync();
        var (driver2, _) = await s.JoinFromLinkAsync(new Uri(s.BaseUrl, await link.GetAttributeAsync("href")).ToString(), "沪AD12345", "pingan");
        return (driver1, first, driver2);
    }

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("en")]
    public async Task The_evidence_of_each_party_is_a_gallery_of_thumbnails_that_enlarge_with_who_when_and_hash(string language)
    {
        await using var s = Start(chromium);
        var console = await DeskAsync(s, language);
        var requested = new List<string>();
        console.Request += (_, r) => requested.Add(r.Url);
        var driver = await s.PhoneAsync();
        var session = await ReportAsync(driver, "京A12345");
        await AcceptAsync(console, session.CaseId);
        await WaitForTileAsync(console, 1, "connected");
        await FramesGrowAsync(() => TileFramesAsync(console, 1), 0, "console tile 1");

        // The driver's photo of the plates (sent with the party's token), then the officer's screenshot (key S).
        using var party = s.Client(session.Token);
        await Upload.PostAsync(party, session.CaseId, TestFiles.Png(64, 48, noise: true), 201, fields: new() { ["angle"] = "plates" });
        await console.Keyboard.PressAsync("s");
        await Eventually.Until(() => console.Locator("[data-testid=gallery-party-1] [data-testid=gallery-item]").CountAsync(), n => n == 2,
            "two thumbnails in party 1's gallery", WaitLimit);
        await console.WaitForFunctionAsync("""
            () => [...document.querySelectorAll('[data-testid=gallery-thumb]')].length === 2
              && [...document.querySelectorAll('[data-testid=gallery-thumb]')].every(i => i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0)
            """);

        using var officer = s.Client(await OfficerTokenAsync(console));
        var items = (await officer.GetJsonAsync($"/api/cases/{session.CaseId}/evidence")).EnumerateArray()
            .OrderBy(i => i.GetProperty("capturedAt").GetDateTimeOffset()).ToList();
        Assert.Equal(["photo", "screenshot"], items.Select(i => i.GetProperty("kind").GetString()));

        // G puts the focus on the picked party's first thumbnail, Enter enlarges it in a modal dialog.
        await console.Keyboard.PressAsync("g");
        Assert.Equal("gallery-item", await console.EvaluateAsync<string>("() => document.activeElement.dataset.testid"));
        await console.Keyboard.PressAsync("Enter");
        Assert.True(await DialogOpenAsync(console, "evidence-dialog"));
        Assert.Equal(items[0].GetProperty("sha256").GetString(), await console.GetByTestId("evidence-dialog-hash").InnerTextAsync());
        Assert.Contains("京A12345", await console.GetByTestId("evidence-dialog-party").InnerTextAsync(), StringComparison.Ordinal);
        var zh = language == "zh-CN";
        Assert.Contains(zh ? "当事人本人" : "the party", await console.GetByTestId("evidence-dialog-by").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains(zh ? "照片 · 车牌" : "photo · the licence plates", await console.GetByTestId("evidence-dialog-title").InnerTextAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.True(await console.EvaluateAsync<bool>("() => { const i = document.querySelector('[data-testid=evidence-dialog-image]'); return i.src.startsWith('blob:') && i.naturalWidth === 64; }"));

        // → the next one: the officer's screenshot, with its own hash.
        await console.Keyboard.PressAsync("ArrowRight");
        Assert.Equal(items[1].GetProperty("sha256").GetString(), await console.GetByTestId("evidence-dialog-hash").InnerTextAsync());
        Assert.Contains(zh ? "民警" : "officer", await console.GetByTestId("evidence-dialog-by").InnerTextAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(console, $"console-gallery-{language}");
        await console.Keyboard.PressAsync("Escape");
        Assert.False(await DialogOpenAsync(console, "evidence-dialog"));

        // The files came with the token in a header, never in a URL, and the server forbids keeping them in any cache.
        var token = await OfficerTokenAsync(console);
        Assert.Contains(requested, u => u.Contains($"/api/evidence/{items[0].GetProperty("id").GetString()}/content", StringComparison.Ordinal));
        Assert.DoesNotContain(requested, u => u.Contains(token, StringComparison.Ordinal) && u.Contains("/api/", StringComparison.Ordinal));
        using var content = await officer.GetAsync($"/api/evidence/{items[0].GetProperty("id").GetString()}/content");
        Assert.Equal("no-store, private", string.Join(", ", content.Headers.CacheControl!.ToString().Split(", ").Order()));
    }

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("en")]
    public async Task The_case_runs_against_the_1_4_15_minute_targets_and_each_party_has_a_checklist_to_the_confirmed_close(string language)
    {
        // The server's clock is 4.5 minutes behind the page's (within the 5 minutes a phone's accident time may be ahead):
        // the report is stamped 4.5 minutes before the page's "now".
        var clock = new ShiftedClock { Shift = TimeSpan.FromMinutes(-4.5) };
        await using var s = Start(chromium, [], services => services.AddSingleton<TimeProvider>(clock));
        var console = await DeskAsync(s, language);
        var (driver1, first, driver2) = await TwoDriversAsync(s);
        IPage[] drivers = [driver1, driver2];
        await AcceptAsync(console, first.CaseId);
        await console.GetByTestId("tile-2").WaitForAsync();
        await WaitForTileAsync(console, 1, "connected");
        await WaitForTileAsync(console, 2, "connected");

        // Answered within a minute (green, done); the cars not moved after 4.5 minutes (amber, counting); closing within 15 (green).
        await console.Locator("[data-testid=timer-answer][data-level=good][data-done=true]").WaitForAsync();
        await console.Locator("[data-testid=timer-move][data-level=warn][data-done=false]").WaitForAsync();
        await console.Locator("[data-testid=timer-close][data-level=good][data-done=false]").WaitForAsync();
        Assert.Matches("^[45]:[0-5][0-9]$", await console.GetByTestId("timer-move-value").InnerTextAsync());
        Assert.Contains(language == "zh-CN" ? "4 分钟" : "4 min", await console.GetByTestId("timer-move-target").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains(language == "zh-CN" ? "挪车" : "Move", await console.GetByTestId("timer-move").InnerTextAsync(), StringComparison.Ordinal);

        foreach (var n in new[] { 1, 2 })
        {
            await DoneAsync(console, $"tile-{n}-check-video");
            await DoneAsync(console, $"tile-{n}-check-moved", false);
            await DoneAsync(console, $"tile-{n}-check-details", false);
            await DoneAsync(console, $"tile-{n}-check-signed", false);
        }

        Assert.Contains(language == "zh-CN" ? "签名" : "Signed", await console.GetByTestId("tile-1-check-signed").InnerTextAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(console, $"console-timers-{language}");

        // Driver 1 confirms its car is off the road: its check only.
        await console.GetByTestId("instruct-move").ClickAsync();
        await driver1.GetByTestId("moved-button").ClickAsync();
        await DoneAsync(console, "tile-1-check-moved");
        await DoneAsync(console, "tile-2-check-moved", false);

        // The officer records the cars moved more than 6 minutes after the report (the server's clock jumps on): red, and the timer stops.
        clock.Shift = TimeSpan.FromMinutes(2);
        await console.GetByTestId("vehicles-moved").ClickAsync();
        await CaseStatusAsync(console, "vehicles_moved");
        await console.Locator("[data-testid=timer-move][data-level=bad][data-done=true]").WaitForAsync();
        await DoneAsync(console, "tile-2-check-moved");

        await console.GetByTestId("liability-scenario").SelectOptionAsync("rear-end");
        await console.GetByTestId("tile-1-liability").SelectOptionAsync("full");
        await console.GetByTestId("tile-2-liability").SelectOptionAsync("none");
        await console.GetByTestId("save-liability").ClickAsync();
        await CaseStatusAsync(console, "liability_determined");
        string[] names = ["张伟", "李娜"];
        // R: the parties are asked for their name and ID number; only then does the card open on their phones.
        Assert.True(await drivers[0].GetByTestId("details-card").IsHiddenAsync());
        await console.Keyboard.PressAsync("r");
        for (var i = 0; i < drivers.Length; i++)
        {
            var card = drivers[i].GetByTestId("details-card");
            await card.WaitForAsync();
            await drivers[i].GetByTestId("details-name").FillAsync(names[i]);
            await drivers[i].GetByTestId("details-id").FillAsync(Api.IdNumbers[i]);
            await drivers[i].GetByTestId("details-save").ClickAsync();
            await DoneAsync(console, $"tile-{i + 1}-check-details");
        }

        await console.GetByTestId("document-weather").SelectOptionAsync("晴");
        await console.GetByTestId("issue-document").ClickAsync();
        await CaseStatusAsync(console, "awaiting_signatures");
        for (var i = 0; i < drivers.Length; i++)
        {
            await SignAsync(drivers[i]);
            await DoneAsync(console, $"tile-{i + 1}-check-signed");
        }

        await ScreenshotAsync(console, $"console-checklist-{language}");

        // Close asks first: N (or Esc) keeps the case, Y closes it.
        await console.Locator("[data-testid=close-case]:not([disabled])").WaitForAsync();
        await console.Keyboard.PressAsync("c");
        Assert.True(await DialogOpenAsync(console, "confirm-dialog"));
        Assert.Contains(first.CaseNumber, await console.GetByTestId("confirm-title").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("confirm-cancel", await console.EvaluateAsync<string>("() => document.activeElement.dataset.testid"));
        var picked = await console.Locator("[data-selected=true]").GetAttributeAsync("data-testid");
        await console.Keyboard.PressAsync("n");
        Assert.False(await DialogOpenAsync(console, "confirm-dialog"));
        // N answered the dialog only: it did not also pick the next party.
        Assert.Equal(picked, await console.Locator("[data-selected=true]").GetAttributeAsync("data-testid"));
        await CaseStatusAsync(console, "awaiting_signatures");
        await console.Keyboard.PressAsync("c");
        await console.Keyboard.PressAsync("y");
        await console.GetByTestId("no-case").WaitForAsync();
        await console.Locator("[data-testid=event-log] li[data-event=CaseClosed]").WaitForAsync();
    }

    private static async Task SignAsync(IPage driver)
    {
        var pad = driver.GetByTestId("sign-pad");
        await pad.WaitForAsync();
        await pad.ScrollIntoViewIfNeededAsync();
        var box = await pad.BoundingBoxAsync() ?? throw new InvalidOperationException("the signature pad has no box");
        await driver.Mouse.MoveAsync(box.X + (box.Width * 0.15f), box.Y + (box.Height * 0.6f));
        await driver.Mouse.DownAsync();
        for (var step = 1; step <= 12; step++)
        {
            await driver.Mouse.MoveAsync(box.X + (box.Width * (0.15f + (0.06f * step))), box.Y + (box.Height * (step % 2 == 0 ? 0.35f : 0.65f)), new() { Steps = 3 });
        }

        await driver.Mouse.UpAsync();
        await driver.GetByTestId("sign-submit").ClickAsync();
        await driver.Locator("[data-testid=instruction][data-kind=signed]").WaitForAsync();
    }

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("en")]
    public async Task Every_step_has_a_key_listed_by_question_mark_buttons_follow_the_state_and_ending_the_call_asks_first(string language)
    {
        await using var s = Start(chromium);
        var console = await DeskAsync(s, language);
        var zh = language == "zh-CN";
        Assert.True(await console.GetByTestId("accept-next").IsDisabledAsync()); // nothing waits
        var driver = await s.PhoneAsync();
        var session = await ReportAsync(driver, "京A12345");
        await QueueItem(console, session.CaseId).WaitForAsync();
        await console.Locator("[data-testid=accept-next]:not([disabled])").WaitForAsync();

        // A accepts the next report.
        await console.Keyboard.PressAsync("a");
        await console.GetByTestId("tile-1").WaitForAsync();
        await CaseStatusAsync(console, "in_call");
        await WaitForBodyAsync(driver, "callState", "connected");
        Assert.True(await console.GetByTestId("accept-next").IsDisabledAsync());
        foreach (var id in new[] { "save-liability", "issue-document", "close-case", "document-weather" })
        {
            Assert.True(await console.GetByTestId(id).IsDisabledAsync(), id);
        }

        foreach (var id in new[] { "instruct-move", "vehicles-moved", "end-call", "tile-1-screenshot", "tile-1-photo", "tile-1-phrase-send" })
        {
            Assert.False(await console.GetByTestId(id).IsDisabledAsync(), id);
        }

        // C in a call: the button is disabled, no dialog, the result line says why.
        await console.Keyboard.PressAsync("c");
        Assert.False(await DialogOpenAsync(console, "confirm-dialog"));
        Assert.Contains(zh ? "不可用" : "Not possible", await console.GetByTestId("case-message").InnerTextAsync(), StringComparison.Ordinal);

        // ? lists every key in the console's language.
        await console.Keyboard.PressAsync("?");
        Assert.True(await DialogOpenAsync(console, "shortcut-help"));
        var rows = await console.GetByTestId("shortcut-row").AllInnerTextsAsync();
        Assert.True(rows.Count >= 15, $"{rows.Count} rows");
        foreach (var expected in zh
            ? new[] { "接听下一个报案", "指示所有当事人挪车", "请所选当事人拍照", "请当事人填写姓名", "出具认定书", "结案", "结束通话", "切换到下一方当事人", "证据图库" }
            : ["Accept the next report", "move the cars", "Ask the picked party for a photo", "name and ID number", "Issue the accident document", "Close the case", "End the call", "next party", "evidence gallery"])
        {
            Assert.Contains(rows, r => r.Contains(expected, StringComparison.Ordinal));
        }

        await ScreenshotAsync(console, $"console-keys-{language}");
        await console.Keyboard.PressAsync("Escape");
        Assert.False(await DialogOpenAsync(console, "shortcut-help"));

        // V records the cars moved; the buttons follow the new state.
        await console.Keyboard.PressAsync("v");
        await CaseStatusAsync(console, "vehicles_moved");
        await console.Locator("[data-testid=vehicles-moved][disabled]").WaitForAsync();
        Assert.False(await console.GetByTestId("save-liability").IsDisabledAsync());
        Assert.True(await console.GetByTestId("instruct-move").IsDisabledAsync());

        // E asks first; N keeps the call, Y ends it on the phone.
        await console.Keyboard.PressAsync("e");
        Assert.True(await DialogOpenAsync(console, "confirm-dialog"));
        Assert.Equal(zh ? "结束通话？" : "End the call?", await console.GetByTestId("confirm-title").InnerTextAsync());
        Assert.Equal("confirm-cancel", await console.EvaluateAsync<string>("() => document.activeElement.dataset.testid"));
        await ScreenshotAsync(console, $"console-confirm-{language}");
        var picked = await console.Locator("[data-selected=true]").GetAttributeAsync("data-testid");
        await console.Keyboard.PressAsync("n");
        Assert.False(await DialogOpenAsync(console, "confirm-dialog"));
        // N answered the dialog only: it did not also pick the next party.
        Assert.Equal(picked, await console.Locator("[data-selected=true]").GetAttributeAsync("data-testid"));
        Assert.Equal("connected", await driver.EvaluateAsync<string>("() => document.body.dataset.callState"));
        // E again at once: the first question's close (a task of its own) must not answer or close the new one.
        await console.Keyboard.PressAsync("e");
        await console.GetByTestId("confirm-ok").ClickAsync();
        await WaitForBodyAsync(driver, "screen", "ended");
    }

    [Theory]
    [InlineData("zh-CN", "en")]
    [InlineData("en", "zh-CN")]
    public async Task A_canned_phrase_is_shown_on_the_partys_phone_in_the_partys_language(string driverLanguage, string officerLanguage)
    {
        await using var s = Start(chromium);
        var console = await DeskAsync(s, officerLanguage);
        var driver = await s.PhoneAsync();
        await SwitchToAsync(driver, driverLanguage);
        var session = await ReportAsync(driver, "京A12345");
        await AcceptAsync(console, session.CaseId);
        await WaitForBodyAsync(driver, "callState", "connected");

        var zh = driverLanguage == "zh-CN";
        await console.GetByTestId("tile-1-phrase").SelectOptionAsync("hazard-lights");
        await console.GetByTestId("tile-1-phrase-send").ClickAsync();
        var text = driver.GetByTestId("phrase-text");
        await driver.Locator("[data-testid=phrase-text][data-key=hazard-lights]").WaitForAsync();
        Assert.Equal(zh ? "请打开双闪，并在车后放置警示标志" : "Please turn on your hazard lights and put the warning triangle behind your car", await text.InnerTextAsync());
        Assert.Contains(officerLanguage == "zh-CN" ? "已发送给 #1" : "Sent to #1", await console.GetByTestId("case-message").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await driver.GetByTestId("phrase-card").IsVisibleAsync());

        // Another phrase from the list replaces the first on the phone.
        await console.GetByTestId("tile-1-phrase").SelectOptionAsync("details");
        await console.GetByTestId("tile-1-phrase-send").ClickAsync();
        await driver.Locator("[data-testid=phrase-text][data-key=details]").WaitForAsync();
        Assert.Equal(zh ? "请填写您的姓名和身份证号" : "Please enter your name and ID number", await text.InnerTextAsync());
        await ScreenshotAsync(driver, $"driver-phrase-{driverLanguage}");
        await ScreenshotAsync(console, $"console-phrase-{officerLanguage}");

        // The phrase follows the driver's language switch.
        await driver.GetByTestId("lang-switch").ClickAsync();
        Assert.Equal(zh ? "Please enter your name and ID number" : "请填写您的姓名和身份证号", await text.InnerTextAsync());
    }

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("en")]
    public async Task At_1366x768_the_case_actions_and_result_line_are_on_screen_and_plates_and_badges_stay_on_one_line(string language)
    {
        await using var s = Start(chromium);
        var console = await DeskAsync(s, language);
        var (_, first, _) = await TwoDriversAsync(s);
        await AcceptAsync(console, first.CaseId);
        await console.GetByTestId("tile-2").WaitForAsync();
        await WaitForTileAsync(console, 1, "connected");
        await WaitForTileAsync(console, 2, "connected");
        await console.GetByTestId("tile-2-consent").WaitForAsync();
        await console.Keyboard.PressAsync("m");
        await console.GetByTestId("case-message").Filter(new() { HasTextString = language == "zh-CN" ? "指示已发送" : "sent" }).WaitForAsync();
        await ScreenshotAsync(console, $"console-desk-{language}");

        // Nothing scrolled: every action and the result line lie inside the 1366x768 viewport.
        Assert.Equal(0, await console.EvaluateAsync<double>("() => document.querySelector('[data-testid=case-panel]').scrollTop"));
        var outside = await console.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('.actions > *, [data-testid=case-message], [data-testid=case-timers]')]
              .filter(e => { const r = e.getBoundingClientRect(); return r.height === 0 || r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth; })
              .map(e => `${e.dataset.testid ?? e.className}: ${JSON.stringify(e.getBoundingClientRect())}`)
            """);
        Assert.True(outside.Length == 0, string.Join("; ", outside));

        // Nothing sticks out of its party's tile.
        var spilling = await console.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('.tile button, .tile select, .tile .badge, .tile .checklist li')]
              .filter(e => { const t = e.closest('.tile').getBoundingClientRect(), r = e.getBoundingClientRect(); return r.width > 0 && (r.right > t.right + 0.5 || r.left < t.left - 0.5); })
              .map(e => `${e.dataset.testid ?? e.className} '${e.textContent}'`)
            """);
        Assert.True(spilling.Length == 0, string.Join("; ", spilling));

        // Plates, badges, the status pill, the timers and the checklist items are each one line high.
        var wrapped = await console.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('[data-testid^=tile-][data-testid$=-plate], .tile .badge, [data-testid=case-status], [data-testid=case-number], .timers li, .checklist li')]
              .filter(e => e.getClientRects().length > 0)
              .filter(e => {
                const s = getComputedStyle(e);
                const line = parseFloat(s.lineHeight) || parseFloat(s.fontSize) * 1.4;
                const extra = parseFloat(s.paddingTop) + parseFloat(s.paddingBottom) + parseFloat(s.borderTopWidth) + parseFloat(s.borderBottomWidth);
                return e.getBoundingClientRect().height > line * 1.5 + extra;
              })
              .map(e => `${e.dataset.testid ?? e.className} '${e.textContent}' ${e.getBoundingClientRect().height}px`)
            """);
        Assert.True(wrapped.Length == 0, string.Join("; ", wrapped));
    }
}
