using System.Text.Json;
using AccidentRemote.Tests.Infrastructure;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>
/// A mobile network that lets only TLS out: coturn listens for TURN over TLS and nothing else, the server
/// hands out only its <c>turns:</c> URL, and both pages may use relayed candidates only. The call still
/// connects with video both ways, and getStats says each side's selected local candidate is a relay
/// reached over TLS. Chromium checks the TURN server's certificate like a web site's (through its network
/// stack's verifier: an untrusted one gives no relay candidate at all), so this browser is told to trust the
/// test certificate's key with --ignore-certificate-errors-spki-list; production uses a certificate from a
/// public CA (infra/coturn/README.md).
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class TurnTlsCallTests
{
    /// <summary>Before the page's scripts: every RTCPeerConnection keeps the server's ICE servers but may use relayed candidates only.</summary>
    private const string RelayOnly = """
        (() => {
          const Pc = window.RTCPeerConnection;
          window.__iceUrls = [];
          window.RTCPeerConnection = class extends Pc {
            constructor(config, ...rest) {
              window.__iceUrls = (config?.iceServers ?? []).flatMap((s) => [].concat(s.urls));
              super({ ...config, iceTransportPolicy: 'relay' }, ...rest);
            }
          };
        })();
        """;

    [Fact]
    public async Task A_relay_only_call_goes_through_TURN_over_TLS_when_coturn_offers_nothing_else_and_video_flows_both_ways()
    {
        await using var turn = await TlsTurnServer.StartAsync();
        await using var chromium = await Chromium.LaunchAsync($"--ignore-certificate-errors-spki-list={turn.SpkiSha256}");
        await using var s = Start(chromium, new() { ["Turn:Urls:0"] = turn.Url, ["Turn:Secret"] = turn.Secret });

        var console = await s.ConsoleAsync("?relay=1");
        var driver = await s.PhoneThroughAsync(s.BaseUrl, RelayOnly);
        var session = await ReportAsync(driver, "京H89012");

        // The server hands out the turns: URL, with a credential, and nothing else.
        using var officer = s.Client(await OfficerTokenAsync(console));
        var servers = (await officer.GetJsonAsync("/api/ice-servers")).GetProperty("iceServers").EnumerateArray().ToList();
        var only = Assert.Single(servers);
        Assert.Equal([turn.Url], only.GetProperty("urls").EnumerateArray().Select(u => u.GetString()));
        Assert.False(string.IsNullOrEmpty(only.GetProperty("credential").GetString()));

        await AcceptAsync(console, session.CaseId);
        await WaitForBodyAsync(driver, "callState", "connected");
        await WaitForTileAsync(console, 1, "connected");
        await FramesGrowAsync(() => TileFramesAsync(console, 1), 0, "console tile 1 through TURN over TLS");
        await FramesGrowAsync(() => DriverFramesAsync(driver), 0, "driver page remote video through TURN over TLS");
        Assert.Equal([turn.Url], await driver.EvaluateAsync<string[]>("() => window.__iceUrls"));

        foreach (var (page, who) in new[] { (console, "console"), (driver, "driver page") })
        {
            var pairs = (await page.EvaluateAsync<JsonElement>("() => window.__test.selectedPairs()")).EnumerateArray().ToList();
            var pair = Assert.Single(pairs);
            Assert.True(pair.GetProperty("local").GetString() == "relay", $"the {who}'s selected local candidate is not relayed: {pair}");
            Assert.True(pair.GetProperty("relayProtocol").GetString() == "tls", $"the {who} does not reach coturn over TLS: {pair}");
            Assert.Equal(turn.Url, pair.GetProperty("url").GetString());
        }
    }
}
