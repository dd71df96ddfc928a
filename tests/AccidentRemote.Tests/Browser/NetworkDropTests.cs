using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Playwright;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>
/// The driver's network really goes away mid-call (in the first test while the server carries a
/// background load of signalling). Everything the driver's page sends leaves through two
/// <see cref="TcpProxy"/> instances the test holds: the page, its API calls and its hub WebSocket
/// through one (the page is loaded from the proxy's origin), and its media through the other (TURN
/// over TCP to coturn, relay only). Cutting both resets every connection and refuses new ones, so
/// hub and media both die, unlike Playwright's offline emulation (see CallTests). See docs/signalling.md.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed partial class NetworkDropTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const int LoadPairs = 200;

    [Fact]
    public async Task A_driver_whose_network_drops_mid_call_comes_back_by_itself_while_200_other_calls_keep_signalling()
    {
        var ct = TestContext.Current.CancellationToken;
        var log = TestContext.Current.TestOutputHelper;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (turnUrl, _) = TurnFromEnvironment();
        await using var s = StartWithTurn(chromium, new() { ["Cases:ReportsPerMinutePerAddress"] = "100000" });
        await using var web = new TcpProxy(s.BaseUrl.Port);
        await using var turn = new TcpProxy(TurnPort(turnUrl));
        await using var load = await SignallingLoad.ConnectAsync(s.App, s.BaseUrl, LoadPairs, ct);
        log?.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {LoadPairs} background cases reported, accepted and connected ({2 * LoadPairs} hub connections)");

        var (console, driver) = await CallThroughProxiesAsync(s, web, turn, "京F67890");
        var pairBefore = await RelayPairAsync(driver, turn.Port);
        var offersBefore = await OfferUfragsAsync(driver);

        load.Start();
        await Eventually.Until(() => Task.FromResult(load.CompletedRounds().Min()), n => n >= 1, "every background pair completing a round", WaitLimit);

        // The drop: every connection of the driver's phone reset, new ones refused.
        var failedBefore = await FailedNegotiationsAsync(driver);
        web.Cut();
        turn.Cut();
        var atCut = load.CompletedRounds();
        var cutAt = clock.Elapsed;
        log?.WriteLine($"{cutAt.TotalSeconds:F1} s: driver's network cut (web proxy accepted {web.Accepted}, TURN proxy {turn.Accepted} connections)");
        await WaitForBodyAsync(driver, "callState", "reconnecting");
        await console.Locator("[data-testid=tile-1][data-online=false]").WaitForAsync();
        await Eventually.Until(() => driver.EvaluateAsync<string>("() => window.__test.pcs.at(-1).iceConnectionState"),
            state => state is "disconnected" or "failed", "the driver's ICE to notice the media path is gone", WaitLimit);

        // The other calls go on meanwhile: every pair completes rounds while the driver is cut off.
        await Eventually.Until(() => Task.FromResult(load.CompletedRounds().Zip(atCut, (now, then) => now - then).Min()), n => n >= 2,
            "every background pair completing two rounds during the drop", WaitLimit);
        await Eventually.Until(() => FailedNegotiationsAsync(driver), n => n >= failedBefore + 2,
            "two of the driver page's hub reconnect attempts refused", WaitLimit);
        Assert.Equal("reconnecting", await driver.EvaluateAsync<string>("() => document.body.dataset.callState"));
        var acceptedBeforeRestore = turn.Accepted;

        var driverIce = await driver.EvaluateAsync<string>("() => window.__test.pcs.at(-1).iceConnectionState");
        web.Restore();
        turn.Restore();
        var restoredAt = clock.Elapsed;
        log?.WriteLine($"{restoredAt.TotalSeconds:F1} s: restored after {(restoredAt - cutAt).TotalSeconds:F1} s cut (driver ICE was {driverIce})");
        var pairAfter = await RecoveredAsync(console, driver, turn, offersBefore, acceptedBeforeRestore);
        log?.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: the call is back, video both ways");

        await load.StopAndCheckAsync();
        Assert.Empty(load.Problems);
        var rounds = load.CompletedRounds();
        log?.WriteLine(
            $"relay pair before {pairBefore}, after {pairAfter}; background: {load.Pairs} pairs, {rounds.Sum()} rounds ({rounds.Min()}-{rounds.Max()} per pair), none lost");
    }

    /// <summary>
    /// Longer than SignalR's automatic reconnect (0, 1, 2, 5, 5, 10 s: about 23 s), after which the
    /// client gives up for good: the page must keep trying by itself, or the driver is left with a
    /// dead call until someone tells them to reload.
    /// </summary>
    [Fact]
    public async Task A_driver_offline_longer_than_the_hubs_reconnect_schedule_gets_the_call_back_without_reloading()
    {
        var log = TestContext.Current.TestOutputHelper;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (turnUrl, _) = TurnFromEnvironment();
        await using var s = StartWithTurn(chromium);
        await using var web = new TcpProxy(s.BaseUrl.Port);
        await using var turn = new TcpProxy(TurnPort(turnUrl));
        var (console, driver) = await CallThroughProxiesAsync(s, web, turn, "京G78901");
        await RelayPairAsync(driver, turn.Port);
        var offersBefore = await OfferUfragsAsync(driver);

        web.Cut();
        turn.Cut();
        var cutAt = clock.Elapsed;
        await console.Locator("[data-testid=tile-1][data-online=false]").WaitForAsync();
        await WaitForBodyAsync(driver, "hub", "down", TimeSpan.FromSeconds(45));
        Assert.Equal("reconnecting", await driver.EvaluateAsync<string>("() => document.body.dataset.callState"));
        Assert.False(await driver.GetByTestId("banner").IsHiddenAsync(), "the page tells the driver that live updates are off");
        await ScreenshotAsync(driver, "driver-offline");
        var acceptedBeforeRestore = turn.Accepted;

        web.Restore();
        turn.Restore();
        var restoredAt = clock.Elapsed;
        log?.WriteLine($"{restoredAt.TotalSeconds:F1} s: restored after {(restoredAt - cutAt).TotalSeconds:F1} s cut; SignalR had given up");
        await WaitForBodyAsync(driver, "hub", "connected");
        var pair = await RecoveredAsync(console, driver, turn, offersBefore, acceptedBeforeRestore);
        Assert.True(await driver.GetByTestId("banner").IsHiddenAsync(), "the banner is gone once the call is back");
        log?.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: the call is back, relay pair {pair}");
    }

    /// <summary>A console (direct) and a driver page whose page, API, hub and media all go through the two proxies, in a call with video both ways.</summary>
    private static async Task<(IPage Console, IPage Driver)> CallThroughProxiesAsync(CallScenario s, TcpProxy web, TcpProxy turn, string plate)
    {
        var console = await s.ConsoleAsync();
        var driver = await s.PhoneThroughAsync(new Uri($"http://127.0.0.1:{web.Port}/"), RelayOverTcpThrough(turn.Port));
        var session = await ReportAsync(driver, plate);
        await AcceptAsync(console, session.CaseId);
        await WaitForBodyAsync(driver, "callState", "connected");
        await WaitForTileAsync(console, 1, "connected");
        await FramesGrowAsync(() => DriverFramesAsync(driver), 0, "driver page remote video");
        await FramesGrowAsync(() => TileFramesAsync(console, 1), 0, "console tile 1");

        // The page's only media path is TURN over TCP through the proxy.
        Assert.Equal(1, await driver.EvaluateAsync<int>("() => window.__relayRewritten"));
        Assert.True(web.Accepted > 0 && turn.Accepted > 0, $"the driver page went through both proxies (web {web.Accepted}, turn {turn.Accepted})");
        return (console, driver);
    }

    /// <summary>
    /// After the proxies are restored, with nobody touching either page: the call connected on both sides,
    /// the console offered again with new ICE credentials (an ICE restart), the driver page made a new TURN
    /// allocation through the restored proxy, and video flows both ways again. Returns the new relay pair.
    /// </summary>
    private static async Task<string> RecoveredAsync(IPage console, IPage driver, TcpProxy turn, List<string> offersBefore, int turnAcceptedBeforeRestore)
    {
        await WaitForBodyAsync(driver, "callState", "connected");
        await console.Locator("[data-testid=tile-1][data-online=true][data-state=connected]").WaitForAsync();
        var offersAfter = await OfferUfragsAsync(driver);
        Assert.True(offersAfter.Count > offersBefore.Count, "the console offered again when the driver came back");
        Assert.NotEqual(offersBefore[^1], offersAfter[^1]);
        var pair = await RelayPairAsync(driver, turn.Port);
        Assert.True(turn.Accepted > turnAcceptedBeforeRestore, "the driver page connected to TURN again through the restored proxy");
        var driverNow = await DriverFramesAsync(driver);
        var tileNow = await TileFramesAsync(console, 1);
        await FramesGrowAsync(() => DriverFramesAsync(driver), driverNow, "driver page remote video after the drop");
        await FramesGrowAsync(() => TileFramesAsync(console, 1), tileNow, "console tile 1 after the drop");
        return pair;
    }

    /// <summary>
    /// Added to the driver's context before the page's scripts: every RTCPeerConnection the page makes
    /// uses only the server-issued TURN credentials, at the proxy's port over TCP, relay only. It also
    /// counts the hub's reconnect attempts that failed (the SignalR client negotiates with fetch first).
    /// </summary>
    private static string RelayOverTcpThrough(int port) => """
        (() => {
          window.__failedNegotiations = 0;
          const f = window.fetch;
          window.fetch = function (input, init) {
            const p = f.call(this, input, init);
            if (String(input?.url ?? input).includes('/hubs/call/negotiate')) p.catch(() => { window.__failedNegotiations++; });
            return p;
          };
          const Pc = window.RTCPeerConnection;
          window.__relayRewritten = 0;
          window.RTCPeerConnection = class extends Pc {
            constructor(config, ...rest) {
              const turn = (config?.iceServers ?? []).find((s) => s.username && [].concat(s.urls).some((u) => String(u).startsWith('turn:')));
              if (!turn) throw new Error('the page got no TURN server with credentials from /api/ice-servers');
              super({ ...config, iceTransportPolicy: 'relay',
                iceServers: [{ urls: 'turn:127.0.0.1:PORT?transport=tcp', username: turn.username, credential: turn.credential }] }, ...rest);
              window.__relayRewritten++;
            }
          };
        })();
        """.Replace("PORT", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static int TurnPort(string turnUrl) => int.Parse(TurnPortPattern().Match(turnUrl).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^turns?:[^:]+:(\d+)")]
    private static partial Regex TurnPortPattern();

    /// <summary>Waits until the driver's selected candidate pair is a relay over TCP through the proxy, and describes it.</summary>
    private static async Task<string> RelayPairAsync(IPage driver, int proxyPort)
    {
        var pair = await Eventually.Until(
            async () => (await driver.EvaluateAsync<JsonElement>("() => window.__test.selectedPairs()")).EnumerateArray().LastOrDefault(),
            p => p.ValueKind == JsonValueKind.Object && p.GetProperty("local").GetString() == "relay",
            "the driver's selected candidate pair", WaitLimit);
        Assert.Equal("tcp", pair.GetProperty("relayProtocol").GetString());
        Assert.Equal($"turn:127.0.0.1:{proxyPort}?transport=tcp", pair.GetProperty("url").GetString());
        return pair.ToString();
    }

    private static Task<int> FailedNegotiationsAsync(IPage driver) => driver.EvaluateAsync<int>("() => window.__failedNegotiations");

    /// <summary>The ICE username fragment of every offer the driver page received, in order.</summary>
    private static async Task<List<string>> OfferUfragsAsync(IPage driver) =>
        (await driver.EvaluateAsync<string[]>(
            "() => window.__test.events('Signal').filter((s) => s.type === 'offer').map((s) => (/a=ice-ufrag:(\\S+)/.exec(s.description.sdp) ?? [])[1] ?? '')"))
        .ToList();
}
