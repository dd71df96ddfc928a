using System.Text.Json;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Playwright;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>
/// The hub's checks seen from real pages: another case's party and an anonymous page are refused,
/// and a page that sends oversized, malformed or too many messages is cut off while a call on the
/// same server keeps its video.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class HubAbuseTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task A_party_of_another_case_cannot_watch_or_signal_it_and_a_page_without_a_token_cannot_start_the_hub()
    {
        await using var s = Start(chromium);
        var (console, driverA, a) = await CallInProgressAsync(s, "京A12345");

        var driverB = await s.PhoneAsync();
        var b = await ReportAsync(driverB, "京C34567");
        // B's page's own hub connection, authenticated with B's token: ready once Ping answers.
        await Eventually.Until(() => driverB.EvaluateAsync<bool>("() => window.__test.hubSocket() !== null"), x => x, "driver B's hub connection", WaitLimit);
        Assert.Equal(JsonValueKind.Null, (await InvokeAsync(driverB, "Ping")).GetProperty("error").ValueKind);

        var watch = await InvokeAsync(driverB, "WatchCase", a.CaseId);
        Assert.Contains("Only officers can watch a case.", watch.GetProperty("error").GetString(), StringComparison.Ordinal);

        var forged = new { caseId = a.CaseId, toPartyId = (string?)null, type = "offer", description = new { type = "offer", sdp = "v=0 forged-by-b" }, candidate = (object?)null };
        var toOfficer = await InvokeAsync(driverB, "Signal", forged);
        Assert.Contains("A party can signal only the officer of its own case.", toOfficer.GetProperty("error").GetString(), StringComparison.Ordinal);
        var toParty = await InvokeAsync(driverB, "Signal", forged with { toPartyId = a.PartyId });
        Assert.Contains("A party can signal only the officer of its own case.", toParty.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(await driverB.EvaluateAsync<bool>("() => window.__test.hubSocket() !== null"), "a refused invocation leaves the connection open");

        // Control: party A's page sends an end-of-candidates signal on its own connection; the console gets it.
        var control = await InvokeAsync(driverA, "Signal", new { caseId = a.CaseId, toPartyId = (string?)null, type = "candidate", description = (object?)null, candidate = (object?)null });
        Assert.Equal(JsonValueKind.Null, control.GetProperty("error").ValueKind);
        await Eventually.Until(() => SignalsAtConsoleAsync(console, a.PartyId), n => n.Any(x => x.GetProperty("type").GetString() == "candidate"), "the control signal at the console", WaitLimit);
        Assert.Empty(await SignalsAtConsoleAsync(console, b.PartyId));
        Assert.DoesNotContain("forged-by-b", string.Join("", await console.EvaluateAsync<string[]>("() => window.__test.received")), StringComparison.Ordinal);
        await WaitForTileAsync(console, 1, "connected");

        // A page with no token: negotiate answers 401 and a direct WebSocket is refused before it opens.
        var anonymous = await s.PhoneAsync();
        await WaitForBodyAsync(anonymous, "screen", "start");
        Assert.Equal(401, await anonymous.EvaluateAsync<int>("() => fetch('/hubs/call/negotiate?negotiateVersion=1', { method: 'POST' }).then(r => r.status)"));
        var direct = await anonymous.EvaluateAsync<JsonElement>("() => window.__test.rawOpen('anonymous', null)");
        Assert.False(direct.GetProperty("opened").GetBoolean(), $"a WebSocket without a token opened: {direct}");
    }

    [Fact]
    public async Task Oversized_malformed_and_flooding_messages_from_another_page_do_not_disturb_a_call_in_progress()
    {
        await using var s = Start(chromium);
        var (console, victim, _) = await CallInProgressAsync(s, "京A12345");

        using var http = s.Client();
        var report = await http.PostJsonAsync("/api/cases", Api.Report("京D45678", parties: 1), 201);
        var abuserCase = report.GetProperty("caseId").GetString()!;
        var abuserToken = report.GetProperty("partyToken").GetString()!;
        // Accepted, so that its signals are allowed at all (only a case with its officer signals): the flood is the point.
        using var handler = await s.OfficerClientAsync();
        await handler.PostJsonAsync($"/api/cases/{abuserCase}/accept", null);
        var abuser = await s.PhoneAsync();
        await WaitForBodyAsync(abuser, "screen", "start");
        var tileBefore = await TileFramesAsync(console, 1);
        var victimBefore = await DriverFramesAsync(victim);

        // 1 MB in one message (the limit is 64 KiB): the server drops the connection.
        Assert.Equal("{}", (await RawOpenAsync(abuser, "big", abuserToken)).GetProperty("handshake").GetString());
        var huge = JsonSerializer.Serialize(new
        {
            type = 1, invocationId = "big", target = "Signal",
            arguments = new[] { new { caseId = abuserCase, toPartyId = (string?)null, type = "offer", description = new { type = "offer", sdp = new string('a', 1024 * 1024) }, candidate = (object?)null } },
        }) + "\u001e";
        await abuser.EvaluateAsync("t => window.__test.rawSend('big', t)", huge);
        var bigClosed = await abuser.EvaluateAsync<JsonElement>("() => window.__test.rawClosed('big')");
        Assert.True(bigClosed.ValueKind == JsonValueKind.Object, "the server closed the connection that sent 1 MB");

        // Malformed: arguments that do not bind and a signal that breaks the rules are refused, the connection stays;
        // bytes that are not the protocol at all end it.
        await RawOpenAsync(abuser, "bad", abuserToken);
        var unbound = await RawInvokeAsync(abuser, "bad", "Signal", new { caseId = "not-a-guid", type = 42 });
        Assert.StartsWith("Failed to invoke 'Signal'", unbound.GetProperty("error").GetString(), StringComparison.Ordinal);
        var badType = await RawInvokeAsync(abuser, "bad", "Signal", new { caseId = abuserCase, type = "bogus" });
        Assert.Contains("Signal type must be one of", badType.GetProperty("error").GetString(), StringComparison.Ordinal);
        var unknown = await RawInvokeAsync(abuser, "bad", "JoinGroup", "officers");
        Assert.StartsWith("Failed to invoke 'JoinGroup'", unknown.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(await abuser.EvaluateAsync<bool>("() => window.__test.rawIsOpen('bad')"));
        await abuser.EvaluateAsync("() => window.__test.rawSend('bad', 'this is not json\\u001e')");
        Assert.Equal(JsonValueKind.Object, (await abuser.EvaluateAsync<JsonElement>("() => window.__test.rawClosed('bad')")).ValueKind);

        // A flood: 1000 signals at once from one connection; the bucket allows a burst of 100, then refuses.
        await RawOpenAsync(abuser, "flood", abuserToken);
        var candidate = new { caseId = abuserCase, toPartyId = (string?)null, type = "candidate", description = (object?)null, candidate = (object?)null };
        var tally = await abuser.EvaluateAsync<JsonElement>("([a]) => window.__test.rawFlood('flood', 'Signal', [a], 1000)", new object[] { candidate });
        TestContext.Current.TestOutputHelper?.WriteLine($"flood of 1000: {tally}");
        var ok = tally.GetProperty("ok").GetInt32();
        var refused = tally.GetProperty("errors").EnumerateObject().Where(e => e.Name.Contains("Too many signals", StringComparison.Ordinal)).Sum(e => e.Value.GetInt32());
        Assert.InRange(ok, 100, 400);
        Assert.Equal(1000, ok + refused);

        // Meanwhile the victim's call went on: still connected, frames still increasing on both ends.
        Assert.Equal("connected", await victim.EvaluateAsync<string>("() => document.body.dataset.callState"));
        await WaitForTileAsync(console, 1, "connected");
        await FramesGrowAsync(() => TileFramesAsync(console, 1), tileBefore + 1, "victim call at the console", by: 30);
        await FramesGrowAsync(() => DriverFramesAsync(victim), victimBefore + 1, "victim call at the driver", by: 30);
        Assert.Equal("connected", await victim.EvaluateAsync<string>("() => document.body.dataset.callState"));
    }

    private static async Task<(IPage Console, IPage Driver, DriverSession Session)> CallInProgressAsync(CallScenario s, string plate)
    {
        var console = await s.ConsoleAsync();
        var driver = await s.PhoneAsync();
        var session = await ReportAsync(driver, plate);
        await AcceptAsync(console, session.CaseId);
        await WaitForBodyAsync(driver, "callState", "connected");
        await WaitForTileAsync(console, 1, "connected");
        await FramesGrowAsync(() => TileFramesAsync(console, 1), 0, "console tile 1");
        await FramesGrowAsync(() => DriverFramesAsync(driver), 0, "driver remote video");
        return (console, driver, session);
    }

    private static Task<JsonElement> InvokeAsync(IPage page, string target, params object[] args) =>
        page.EvaluateAsync<JsonElement>("([t, a]) => window.__test.invoke(t, a)", new object[] { target, args });

    private static async Task<JsonElement> RawOpenAsync(IPage page, string name, string token)
    {
        var opened = await page.EvaluateAsync<JsonElement>("([n, t]) => window.__test.rawOpen(n, t)", new object[] { name, token });
        Assert.True(opened.GetProperty("opened").GetBoolean(), $"raw hub connection {name}: {opened}");
        return opened;
    }

    private static Task<JsonElement> RawInvokeAsync(IPage page, string name, string target, params object[] args) =>
        page.EvaluateAsync<JsonElement>("([n, t, a]) => window.__test.rawInvoke(n, t, a)", new object[] { name, target, args });

    /// <summary>Signal events the console's hub connection received from one party.</summary>
    private static async Task<List<JsonElement>> SignalsAtConsoleAsync(IPage console, string partyId) =>
        (await console.EvaluateAsync<JsonElement>("() => window.__test.events('Signal')")).EnumerateArray()
            .Where(x => x.GetProperty("fromPartyId").GetString() == partyId).ToList();
}
