using System.Security.Cryptography;
using System.Text.Json;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Playwright;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>All browser test classes run one after another: each drives several Chromium contexts with live video on 2 cores.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}

/// <summary>
/// Live calls in real Chromium (fake camera), driver page and officer console, WebRTC on loopback
/// inside the test network namespace. Run with infra/test.sh.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class CallTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task Driver_reports_officer_accepts_both_see_video_and_the_officers_screenshot_is_stored_with_its_hash()
    {
        await using var s = Start(chromium);
        var console = await s.ConsoleAsync();
        var driver = await s.PhoneAsync();
        await ScreenshotAsync(driver, "driver-start");

        var session = await ReportAsync(driver, "京A12345");
        await QueueItem(console, session.CaseId).WaitForAsync();
        await ScreenshotAsync(driver, "driver-waiting", fullPage: true);
        await ScreenshotAsync(console, "console-queue");

        await AcceptAsync(console, session.CaseId);
        await WaitForBodyAsync(driver, "callState", "connected");
        await WaitForTileAsync(console, 1, "connected");
        await FramesGrowAsync(() => TileFramesAsync(console, 1), 0, "console tile 1 (the driver's camera)");
        await FramesGrowAsync(() => DriverFramesAsync(driver), 0, "driver page remote video (the officer's camera)");
        await ScreenshotAsync(driver, "driver-call");
        await ScreenshotAsync(console, "console-call");

        // Key S: screenshot of the selected tile (the first), uploaded by the console as evidence.
        await console.Keyboard.PressAsync("s");
        using var party = s.Client(session.Token);
        var evidence = await Eventually.Until(
            () => party.GetJsonAsync($"/api/cases/{session.CaseId}/evidence"),
            e => e.EnumerateArray().Any(x => x.GetProperty("kind").GetString() == "screenshot"),
            "a screenshot in the case's evidence", WaitLimit);
        var shot = evidence.EnumerateArray().Single(x => x.GetProperty("kind").GetString() == "screenshot");
        Assert.Equal(session.PartyId, shot.GetProperty("partyId").GetString());
        Assert.Equal("image/jpeg", shot.GetProperty("contentType").GetString());

        var bytes = await party.GetByteArrayAsync($"/api/evidence/{shot.GetProperty("id").GetString()}/content");
        Assert.Equal(shot.GetProperty("size").GetInt64(), bytes.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), shot.GetProperty("sha256").GetString());
        Assert.Equal([0xFF, 0xD8], bytes[..2]);
        Assert.Equal(640, shot.GetProperty("width").GetInt32());
        Assert.Equal(480, shot.GetProperty("height").GetInt32());
    }

    [Fact]
    public async Task A_relay_only_console_gets_TURN_credentials_and_the_call_goes_through_coturn()
    {
        var (turnUrl, _) = TurnFromEnvironment();
        await using var s = StartWithTurn(chromium);
        var console = await s.ConsoleAsync("?relay=1");
        var driver = await s.PhoneAsync();
        var session = await ReportAsync(driver, "京B23456");

        using var officer = s.Client(await OfficerTokenAsync(console));
        var ice = await officer.GetJsonAsync("/api/ice-servers");
        var turn = ice.GetProperty("iceServers").EnumerateArray().Single(x => x.GetProperty("urls").EnumerateArray().Any(u => u.GetString() == turnUrl));
        Assert.Matches("^[0-9]+:", turn.GetProperty("username").GetString()!);
        Assert.False(string.IsNullOrEmpty(turn.GetProperty("credential").GetString()));

        await AcceptAsync(console, session.CaseId);
        await WaitForBodyAsync(driver, "callState", "connected");
        await WaitForTileAsync(console, 1, "connected");
        await FramesGrowAsync(() => TileFramesAsync(console, 1), 0, "console tile 1 through TURN");
        await FramesGrowAsync(() => DriverFramesAsync(driver), 0, "driver page remote video through TURN");

        var pairs = await console.EvaluateAsync<JsonElement>("() => window.__test.selectedPairs()");
        var pair = Assert.Single(pairs.EnumerateArray());
        Assert.True(pair.GetProperty("local").GetString() == "relay", $"the console's selected candidate pair is not relayed: {pair}");
        Assert.Equal("udp", pair.GetProperty("relayProtocol").GetString());
    }

    [Fact]
    public async Task Two_drivers_on_two_phones_the_second_joining_from_the_link_and_the_officer_sees_both()
    {
        await using var s = Start(chromium);
        var console = await s.ConsoleAsync();
        var driver1 = await s.PhoneAsync();
        var first = await ReportAsync(driver1, "京A12345", parties: 2);
        var link = driver1.GetByTestId("share-link");
        await link.WaitForAsync();
        var href = await link.GetAttributeAsync("href");
        Assert.Equal($"/join/{first.JoinCode}", new Uri(s.BaseUrl, href).AbsolutePath);

        var (driver2, second) = await s.JoinFromLinkAsync(new Uri(s.BaseUrl, href).ToString(), "沪AD12345",
            onForm: async p =>
            {
                Assert.Equal(first.JoinCode, await p.GetByTestId("join-code-input").InputValueAsync());
                await ScreenshotAsync(p, "driver-join");
            });
        Assert.Equal(first.CaseId, second.CaseId);
        Assert.Equal(2, second.PartyNumber);

        await AcceptAsync(console, first.CaseId);
        foreach (var driver in new[] { driver1, driver2 })
        {
            await WaitForBodyAsync(driver, "callState", "connected");
            await FramesGrowAsync(() => DriverFramesAsync(driver), 0, "a driver page's remote video");
        }

        await WaitForTileAsync(console, 1, "connected");
        await WaitForTileAsync(console, 2, "connected");
        await FramesGrowAsync(() => TileFramesAsync(console, 1), 0, "console tile 1");
        await FramesGrowAsync(() => TileFramesAsync(console, 2), 0, "console tile 2");
        Assert.Equal("京A12345", await console.GetByTestId("tile-1-plate").TextContentAsync());
        Assert.Equal("沪AD12345", await console.GetByTestId("tile-2-plate").TextContentAsync());
        await ScreenshotAsync(console, "console-two-parties");
        await ScreenshotAsync(driver2, "driver-call-second");
    }

    /// <summary>
    /// What this really exercises: Playwright's offline emulation fails the page's HTTP and new
    /// WebSocket connections, but in Chromium it does not cut WebRTC media (RTP goes over UDP
    /// sockets outside the emulated network stack), nor, reliably, an open WebSocket. So the test also
    /// closes the page's hub WebSocket from inside the page. The driver page then loses the hub for
    /// 5 s with every reconnect attempt failing, the server tells the console the party went offline,
    /// and on reconnect the console re-offers (ICE restart) by itself. The test asserts that path: a
    /// second offer reaches the driver, the call returns to connected and frames keep increasing,
    /// with nobody touching the console. It does not prove recovery from lost media packets:
    /// NetworkDropTests cuts the media path too.
    /// </summary>
    [Fact]
    public async Task The_driver_page_offline_for_five_seconds_comes_back_to_the_call_without_the_officer_doing_anything()
    {
        await using var s = Start(chromium);
        var console = await s.ConsoleAsync();
        var driver = await s.PhoneAsync();
        var session = await ReportAsync(driver, "京E56789");
        await AcceptAsync(console, session.CaseId);
        await WaitForBodyAsync(driver, "callState", "connected");
        await WaitForTileAsync(console, 1, "connected");
        await FramesGrowAsync(() => DriverFramesAsync(driver), 0, "driver page remote video");
        var offersBefore = await OffersToDriverAsync(driver);

        await driver.Context.SetOfflineAsync(true);
        Assert.True(await driver.EvaluateAsync<int>("() => window.__test.closeHub()") >= 1, "the driver page had an open hub connection");
        await WaitForBodyAsync(driver, "callState", "reconnecting");
        await console.Locator("[data-testid=tile-1][data-online=false]").WaitForAsync();
        await ScreenshotAsync(driver, "driver-reconnecting");
        var framesAtOutage = await DriverFramesAsync(driver);

        // The outage itself is the stimulus: 5 s offline, during which SignalR's reconnect attempts (0, 1, 3 s) fail.
        await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal("reconnecting", await driver.EvaluateAsync<string>("() => document.body.dataset.callState"));
        var framesDuringOutage = await DriverFramesAsync(driver) - framesAtOutage;
        TestContext.Current.TestOutputHelper?.WriteLine($"frames decoded by the driver page during the 5 s offline: {framesDuringOutage} (WebRTC is not cut by offline emulation)");

        await driver.Context.SetOfflineAsync(false);
        await WaitForBodyAsync(driver, "callState", "connected", TimeSpan.FromSeconds(30));
        await console.Locator("[data-testid=tile-1][data-online=true][data-state=connected]").WaitForAsync();
        // The page may report connected again before the console's re-offer has arrived (media was never cut),
        // so wait for the offer rather than expecting it at that instant.
        await Eventually.Until(() => OffersToDriverAsync(driver), n => n > offersBefore,
            "the console offered again (ICE restart) when the party came back", TimeSpan.FromSeconds(20));
        await WaitForBodyAsync(driver, "callState", "connected", TimeSpan.FromSeconds(30));
        var driverNow = await DriverFramesAsync(driver);
        var tileNow = await TileFramesAsync(console, 1);
        await FramesGrowAsync(() => DriverFramesAsync(driver), driverNow, "driver page remote video after the outage");
        await FramesGrowAsync(() => TileFramesAsync(console, 1), tileNow, "console tile 1 after the outage");
    }

    private static async Task<int> OffersToDriverAsync(IPage driver) =>
        await driver.EvaluateAsync<int>("() => window.__test.events('Signal').filter(s => s.type === 'offer').length");
}
