using System.Text.Json;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Playwright;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>
/// Issue 13, points 3, 4, 5 and 11 in Chromium on a 360x740 phone: the driver's call screen as it is
/// used: instructions in view, vibrating and read aloud; the controls always reachable, the details
/// card only when the officer asks, hang-up and "call me back"; the banner and every action's
/// sending / sent / failed; the low-light warning and the torch. Each runs in Chinese and in English.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class CallScreenTests(Chromium chromium) : IClassFixture<Chromium>
{
    /// <summary>Records vibrate() and speechSynthesis.speak() (text and language) in window.__calls.</summary>
    private const string Stubs = """
        window.__calls = { vibrate: [], spoken: [] };
        navigator.vibrate = (pattern) => { window.__calls.vibrate.push(pattern); return true; };
        if (window.speechSynthesis) {
          window.speechSynthesis.speak = (u) => { window.__calls.spoken.push({ text: u.text, lang: u.lang }); };
        }
        """;

    /// <summary>
    /// The camera as in a dark car park: getUserMedia answers with a canvas painted black (and the
    /// real fake microphone); the video track has a torch when window.__torch is set before.
    /// </summary>
    private static string DarkCamera(bool torch) => $$"""
        window.__applied = [];
        const realGum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
        navigator.mediaDevices.getUserMedia = async (c) => {
          const out = new MediaStream();
          if (c && c.audio) (await realGum({ audio: true })).getAudioTracks().forEach((t) => out.addTrack(t));
          if (c && c.video) {
            const canvas = document.createElement('canvas');
            canvas.width = 320; canvas.height = 240;
            const g = canvas.getContext('2d');
            const paint = () => { g.fillStyle = '#050505'; g.fillRect(0, 0, 320, 240); };
            paint();
            setInterval(paint, 100);
            const track = canvas.captureStream(10).getVideoTracks()[0];
            if ({{(torch ? "true" : "false")}}) {
              track.getCapabilities = () => ({ torch: true });
              track.applyConstraints = async (k) => { window.__applied.push(JSON.parse(JSON.stringify(k))); };
            }
            out.addTrack(track);
          }
          return out;
        };
        """;

    [Theory]
    [InlineData("zh-CN", "请拍照：车牌", "zh-CN")]
    [InlineData("en", "Please take a photo: the licence plates", "en-US")]
    public async Task An_instruction_is_fully_in_view_under_the_header_vibrates_and_is_read_aloud_and_the_controls_stay_reachable(string language, string photoText, string voice)
    {
        await using var s = Start(chromium);
        var console = await s.ConsoleAsync();
        var driver = await s.PhoneThroughAsync(s.BaseUrl, Stubs);
        await SetLanguageAsync(driver, language);
        var session = await ReportAsync(driver, "京A12345");
        await AcceptAsync(console, session.CaseId);
        await WaitForBodyAsync(driver, "callState", "connected");

        // The call starts: no details card pushing the controls away; the controls are in view.
        Assert.True(await driver.GetByTestId("details-card").IsHiddenAsync(), "the details card waits until the officer asks");
        await AssertInViewAsync(driver, "call-controls");
        await driver.GetByTestId("speak-auto").ClickAsync();
        Assert.Equal("true", await driver.GetByTestId("speak-auto").GetAttributeAsync("aria-pressed"));

        // The driver had scrolled down; the officer asks for a photo of the plates.
        await driver.EvaluateAsync("() => window.scrollTo(0, document.body.scrollHeight)");
        await console.GetByTestId("tile-1-angle").SelectOptionAsync("plates");
        await console.GetByTestId("tile-1-photo").ClickAsync();
        var instruction = driver.Locator("[data-testid=instruction][data-kind=photo]");
        await instruction.WaitForAsync();
        Assert.Contains(photoText, await driver.GetByTestId("instruction-text").InnerTextAsync(), StringComparison.Ordinal);
        await AssertInViewAsync(driver, "instruction");
        await AssertInViewAsync(driver, "call-controls");
        var calls = await CallsAsync(driver, c => c.GetProperty("spoken").GetArrayLength() >= 1 && c.GetProperty("vibrate").GetArrayLength() >= 1);
        var spoken = calls.GetProperty("spoken")[0];
        Assert.Contains(photoText, spoken.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(voice, spoken.GetProperty("lang").GetString());

        // The driver films the plates: their own camera is the big picture, the officer's small.
        Assert.Equal("local", await driver.GetByTestId("videos").GetAttributeAsync("data-big"));
        var local = await driver.GetByTestId("local-video").BoundingBoxAsync();
        var remote = await driver.GetByTestId("remote-video").BoundingBoxAsync();
        Assert.True(local!.Width > remote!.Width * 2, $"the driver's own picture is the big one while filming ({local.Width} vs {remote.Width} px)");
        await ScreenshotAsync(driver, $"driver-call-instruction-{language}");
        await driver.GetByTestId("swap-video").ClickAsync();
        Assert.Equal("remote", await driver.GetByTestId("videos").GetAttributeAsync("data-big"));

        // "Read aloud" reads it again.
        await driver.GetByTestId("instruction-speak").ClickAsync();
        await CallsAsync(driver, c => c.GetProperty("spoken").GetArrayLength() >= 2);

        // The officer asks for the details: now the card opens, in view with the instruction, and the controls are still reachable.
        await console.GetByTestId("instruct-details").ClickAsync();
        await DetailsAskedAsync(console, driver);
        await AssertInViewAsync(driver, "instruction");
        await AssertInViewAsync(driver, "details-name");
        await AssertInViewAsync(driver, "call-controls");
        await CallsAsync(driver, c => c.GetProperty("vibrate").GetArrayLength() >= 2);
        await ScreenshotAsync(driver, $"driver-call-details-{language}");
    }

    [Theory]
    [InlineData("zh-CN", "已请交警回拨给您")]
    [InlineData("en", "The officer has been asked to call you back")]
    public async Task The_driver_hangs_up_after_confirming_asks_to_be_called_back_and_the_officers_call_back_brings_the_call_again(string language, string calledBack)
    {
        await using var s = Start(chromium);
        var console = await s.ConsoleAsync();
        var driver = await s.PhoneAsync();
        await SetLanguageAsync(driver, language);
        var session = await ReportAsync(driver, "京B23456");
        await AcceptAsync(console, session.CaseId);
        await WaitForBodyAsync(driver, "callState", "connected");

        // Hang up asks first; "stay" keeps the call.
        await driver.GetByTestId("hang-up").ClickAsync();
        await AssertInViewAsync(driver, "hangup-confirm");
        await ScreenshotAsync(driver, $"driver-call-hangup-{language}");
        await driver.GetByTestId("hangup-no").ClickAsync();
        Assert.True(await driver.GetByTestId("hangup-confirm").IsHiddenAsync());
        Assert.Equal("connected", await driver.EvaluateAsync<string>("() => document.body.dataset.callState"));

        await driver.GetByTestId("hang-up").ClickAsync();
        await driver.GetByTestId("hangup-yes").ClickAsync();
        await WaitForBodyAsync(driver, "callState", "left");
        await driver.GetByTestId("left-card").WaitForAsync();
        await console.Locator("[data-testid=tile-1-call-notice][data-kind=left]").WaitForAsync();
        await console.Locator("[data-testid=event-log] li[data-event=CallNotice]").First.WaitForAsync();

        // The case is not closed.
        using var party = s.Client(session.Token);
        Assert.Equal("in_call", (await party.GetJsonAsync($"/api/cases/{session.CaseId}")).GetProperty("status").GetString());

        await driver.GetByTestId("call-back").ClickAsync();
        await driver.Locator("[data-testid=call-notice-status][data-action=sent]").WaitForAsync();
        Assert.Contains(calledBack, await driver.GetByTestId("call-notice-status").InnerTextAsync(), StringComparison.Ordinal);
        await console.Locator("[data-testid=tile-1-call-notice][data-kind=call-back]").WaitForAsync();
        await ScreenshotAsync(driver, $"driver-call-left-{language}");

        // The officer calls back from the tile: the call is on again.
        await console.GetByTestId("tile-1-call-notice").ClickAsync();
        await WaitForBodyAsync(driver, "callState", "connected");
        Assert.True(await driver.GetByTestId("left-card").IsHiddenAsync());
        await WaitForTileAsync(console, 1, "connected");
    }

    [Theory]
    [InlineData("zh-CN", "正在发送", "发送失败", "没有回应")]
    [InlineData("en", "Sending", "Not sent", "No answer")]
    public async Task The_banner_stays_in_view_and_every_action_says_sending_sent_or_failed_with_a_retry(string language, string sending, string failed, string timedOut)
    {
        await using var s = Start(chromium);
        var console = await s.ConsoleAsync();
        var driver = await s.PhoneAsync();
        await SetLanguageAsync(driver, language);
        var session = await ReportAsync(driver, "京C34567");
        await AcceptAsync(console, session.CaseId);
        await WaitForBodyAsync(driver, "callState", "connected");

        // "We have moved the cars" with the request stuck: "sending" at once, "no answer, try again" after the time-out.
        await console.GetByTestId("instruct-move").ClickAsync();
        await driver.GetByTestId("moved-button").WaitForAsync();
        var release = new TaskCompletionSource();
        await driver.RouteAsync("**/moved-confirmation", async route =>
        {
            await release.Task;
            // A server error, not a lost network: an action without any network is kept for later (AppShellTests).
            await route.FulfillAsync(new() { Status = 503 });
        });
        var tapped = System.Diagnostics.Stopwatch.StartNew();
        await driver.GetByTestId("moved-button").ClickAsync();
        await driver.Locator("[data-testid=instruction-status][data-action=sending]").WaitForAsync(new() { Timeout = 1000 });
        Assert.Contains(sending, await driver.GetByTestId("instruction-status").InnerTextAsync(), StringComparison.Ordinal);
        await driver.Locator("[data-testid=instruction-status][data-action=failed]").WaitForAsync(new() { Timeout = 9000 });
        Assert.True(tapped.Elapsed < TimeSpan.FromSeconds(9), $"failed shown after {tapped.Elapsed.TotalSeconds:F1} s");
        Assert.Contains(timedOut, await driver.GetByTestId("instruction-status").InnerTextAsync(), StringComparison.Ordinal);
        release.SetResult();
        await driver.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.IgnoreErrors });
        await driver.GetByTestId("instruction-status-retry").ClickAsync();
        await driver.Locator("[data-testid=instruction-status][data-action=sent]").WaitForAsync();
        await console.GetByTestId("tile-1-moved").WaitForAsync();

        // Saving the details with the server failing: "failed" and a retry that works.
        await console.GetByTestId("instruct-details").ClickAsync();
        await DetailsAskedAsync(console, driver);
        await driver.GetByTestId("details-name").FillAsync("张伟");
        await driver.GetByTestId("details-id").FillAsync(Api.IdNumbers[0]);
        await driver.RouteAsync("**/parties/me", route => route.FulfillAsync(new() { Status = 503 }));
        await driver.GetByTestId("details-save").ClickAsync();
        await driver.Locator("[data-testid=details-status][data-action=failed]").WaitForAsync();
        Assert.Contains(failed, await driver.GetByTestId("details-status").InnerTextAsync(), StringComparison.Ordinal);
        await AssertInViewAsync(driver, "details-status-retry");
        await ScreenshotAsync(driver, $"driver-call-failed-{language}");
        await driver.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.IgnoreErrors });
        await driver.GetByTestId("details-status-retry").ClickAsync();
        await driver.GetByTestId("details-card").WaitForAsync(new() { State = WaitForSelectorState.Hidden });

        // The network drops: the banner says so and stays in view under the header, whatever the scroll.
        await driver.Context.SetOfflineAsync(true);
        Assert.True(await driver.EvaluateAsync<int>("() => window.__test.closeHub()") >= 1, "the driver page had an open hub connection");
        await driver.GetByTestId("banner").WaitForAsync();
        await driver.EvaluateAsync("() => window.scrollTo(0, document.body.scrollHeight)");
        await AssertInViewAsync(driver, "banner");
        await AssertInViewAsync(driver, "call-controls");
        await ScreenshotAsync(driver, $"driver-call-banner-{language}");
        await driver.Context.SetOfflineAsync(false);
        await WaitForBodyAsync(driver, "hub", "connected");
    }

    [Theory]
    [InlineData("zh-CN", true, "画面太暗")]
    [InlineData("en", false, "too dark")]
    public async Task A_dark_picture_brings_a_warning_and_the_torch_only_where_the_camera_has_one(string language, bool torch, string warning)
    {
        await using var s = Start(chromium);
        var console = await s.ConsoleAsync();
        var driver = await s.PhoneThroughAsync(s.BaseUrl, DarkCamera(torch));
        await SetLanguageAsync(driver, language);
        var session = await ReportAsync(driver, "京D45678");
        await AcceptAsync(console, session.CaseId);
        await WaitForBodyAsync(driver, "callState", "connected");

        var lowLight = driver.GetByTestId("low-light");
        await lowLight.WaitForAsync();
        Assert.Contains(warning, await lowLight.InnerTextAsync(), StringComparison.Ordinal);
        await AssertInViewAsync(driver, "low-light");
        if (!torch)
        {
            Assert.True(await driver.GetByTestId("torch").IsHiddenAsync(), "no torch button where the camera has no torch");
            await ScreenshotAsync(driver, $"driver-call-dark-{language}");
            return;
        }

        await driver.GetByTestId("torch").ClickAsync();
        await driver.Locator("[data-testid=torch][aria-pressed=true]").WaitForAsync();
        var applied = await driver.EvaluateAsync<JsonElement>("() => window.__applied");
        Assert.True(applied[0].GetProperty("advanced")[0].GetProperty("torch").GetBoolean(), applied.ToString());
        await ScreenshotAsync(driver, $"driver-call-dark-{language}");
    }

    // ---------- helpers ----------

    /// <summary>After the officer pressed "ask for name and ID": the instruction and the details card on the phone (else what the console said).</summary>
    private static async Task DetailsAskedAsync(IPage console, IPage driver)
    {
        try
        {
            await driver.Locator("[data-testid=instruction][data-kind=details]").WaitForAsync();
            await driver.GetByTestId("details-card").WaitForAsync();
        }
        catch (TimeoutException)
        {
            var said = await console.GetByTestId("case-message").InnerTextAsync();
            var kind = await driver.GetByTestId("instruction").GetAttributeAsync("data-kind");
            var status = await driver.EvaluateAsync<string>("() => `${document.body.dataset.callState} ${document.body.dataset.hub} ${document.querySelector('[data-testid=case-status]').textContent}`");
            throw new TimeoutException($"the details card did not open: console said '{said}', the phone's instruction is '{kind}', its state {status}");
        }
    }

    private static async Task SetLanguageAsync(IPage driver, string language)
    {
        await WaitForBodyAsync(driver, "screen", "start");
        if (language == "en")
        {
            await driver.GetByTestId("lang-switch").ClickAsync();
            await driver.Locator("html[lang=en]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        }
    }

    /// <summary>The element's box lies inside the viewport, below the sticky header (and the banner, unless it is the banner) and above the fixed call bar (unless inside it).</summary>
    private static async Task AssertInViewAsync(IPage page, string testId)
    {
        var box = await Eventually.Until(async () => await page.EvaluateAsync<JsonElement>("""
            id => {
              const r = (el) => el && !el.hidden ? el.getBoundingClientRect() : null;
              const el = document.querySelector(`[data-testid="${id}"]`);
              const e = r(el), header = r(document.querySelector('header.bar')), banner = r(document.querySelector('[data-testid=banner]'));
              const bar = document.querySelector('[data-testid=call-bar]');
              const inBar = bar && bar.contains(el);
              const top = id === 'banner' ? header.bottom : Math.max(header.bottom, banner ? banner.bottom : 0);
              const bottom = inBar || !r(bar) ? innerHeight : r(bar).top;
              return { ok: !!e && e.height > 0 && e.top >= top - 1 && e.bottom <= bottom + 1 && e.left >= -1 && e.right <= innerWidth + 1,
                       box: e ? [e.top, e.bottom] : null, top, bottom };
            }
            """, testId), b => b.GetProperty("ok").GetBoolean(), $"{testId} fully in view", TimeSpan.FromSeconds(5));
        Assert.True(box.GetProperty("ok").GetBoolean(), box.ToString());
    }

    private static Task<JsonElement> CallsAsync(IPage page, Func<JsonElement, bool> until) =>
        Eventually.Until(() => page.EvaluateAsync<JsonElement>("() => window.__calls"), until, "vibrate/speak calls", WaitLimit);
}
