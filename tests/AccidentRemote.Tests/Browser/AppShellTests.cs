using System.Net.Http.Json;
using System.Text.Json;
using AccidentRemote.Server.Data;
using AccidentRemote.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>Issue 13 point 10: the driver page as an app that survives the network (manifest, service worker, pending actions).</summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class AppShellTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string CacheUrls = """
        async () => {
          const urls = [];
          for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys()) urls.push(r.url);
          return urls;
        }
        """;

    private const string PendingActions = """
        () => new Promise((resolve, reject) => {
          const open = indexedDB.open("ar-outbox", 1);
          open.onupgradeneeded = () => open.result.createObjectStore("actions", { keyPath: "id" });
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction("actions").objectStore("actions").getAll();
            get.onsuccess = () => { resolve(get.result.map((a) => a.kind)); open.result.close(); };
          };
        })
        """;

    [Fact]
    public async Task After_a_first_visit_the_driver_page_opens_offline_and_its_cache_holds_no_api_answer()
    {
        await using var s = Start(chromium);
        var driver = await s.PhoneAsync();
        await WaitForBodyAsync(driver, "screen", "start");

        var manifest = await driver.EvaluateAsync<JsonElement>("async () => (await fetch(document.querySelector('link[rel=manifest]').href)).json()");
        Assert.Equal("轻微交通事故远程处理", manifest.GetProperty("name").GetString());
        Assert.Equal("/", manifest.GetProperty("start_url").GetString());
        Assert.Equal("standalone", manifest.GetProperty("display").GetString());
        Assert.Equal(await driver.Locator("meta[name=theme-color]").GetAttributeAsync("content"), manifest.GetProperty("theme_color").GetString());

        // A case makes the page call the API with its token: none of it may end up in the cache.
        await ReportAsync(driver, "京A12345");
        await driver.WaitForFunctionAsync("() => navigator.serviceWorker.controller !== null");
        var cached = await Eventually.Until(() => driver.EvaluateAsync<string[]>(CacheUrls), u => u.Any(x => x.Contains("/dist/driver.", StringComparison.Ordinal)),
            "the service worker to store the shell");

        await driver.Context.SetOfflineAsync(true);
        await driver.ReloadAsync();
        await driver.Locator(".brand").WaitForAsync();
        Assert.Equal("事故远程处理", await driver.Locator(".brand").TextContentAsync());
        Assert.Equal("rgb(10, 47, 107)", await driver.Locator("header.bar").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        await ScreenshotAsync(driver, "driver-offline-shell");

        cached = await driver.EvaluateAsync<string[]>(CacheUrls);
        Assert.DoesNotContain(cached, u => u.Contains("/api/", StringComparison.Ordinal) || u.Contains("/hubs/", StringComparison.Ordinal) || u.Contains("/join/", StringComparison.Ordinal));
        Assert.Contains(cached, u => u.EndsWith("/css/driver.css", StringComparison.Ordinal) || u.Contains("/css/driver.", StringComparison.Ordinal));
        await driver.Context.SetOfflineAsync(false);
    }

    [Theory]
    [InlineData("zh-CN", "没有网络")]
    [InlineData("en", "No network")]
    public async Task Cars_moved_and_details_given_offline_are_sent_when_the_network_is_back(string lang, string keptText)
    {
        await using var s = Start(chromium);
        var console = await s.ConsoleAsync();
        var driver = await s.PhoneAsync();
        if (lang == "en")
        {
            await driver.GetByTestId("lang-switch").ClickAsync();
        }

        var session = await ReportAsync(driver, "京A12345");
        await AcceptAsync(console, session.CaseId);
        await WaitForBodyAsync(driver, "callState", "connected");
        // Name and ID first (the card opens only when asked and stays open), then the move with its button.
        await console.GetByTestId("instruct-details").ClickAsync();
        await driver.GetByTestId("details-card").WaitForAsync();
        await console.GetByTestId("instruct-move").ClickAsync();
        await driver.GetByTestId("moved-button").WaitForAsync();

        await driver.Context.SetOfflineAsync(true);
        await driver.GetByTestId("moved-button").ClickAsync();
        await Assertions.Expect(driver.GetByTestId("instruction-status")).ToContainTextAsync(keptText);
        await driver.GetByTestId("details-name").FillAsync("张伟");
        await driver.GetByTestId("details-id").FillAsync(Api.IdNumbers[0]);
        await driver.GetByTestId("details-save").ClickAsync();
        await Assertions.Expect(driver.GetByTestId("details-status")).ToContainTextAsync(keptText);
        var kept = await driver.EvaluateAsync<string[]>(PendingActions);
        Assert.Equal(["details", "moved"], kept.Order());
        await ScreenshotAsync(driver, $"driver-offline-kept-{lang}");

        await driver.Context.SetOfflineAsync(false);
        await driver.GetByTestId("details-card").WaitForAsync(new() { State = WaitForSelectorState.Hidden });
        await Assertions.Expect(driver.GetByTestId("instruction-status")).Not.ToContainTextAsync(keptText);
        Assert.Empty(await driver.EvaluateAsync<string[]>(PendingActions));

        using var party = s.Client(session.Token);
        var view = await party.GetFromJsonAsync<JsonElement>($"/api/cases/{session.CaseId}");
        var me = view.GetProperty("parties").EnumerateArray().Single(p => p.GetProperty("id").GetString() == session.PartyId);
        Assert.Equal("张伟", me.GetProperty("name").GetString());
        await Eventually.Until(() => MovedConfirmedAsync(s, session.CaseId), n => n == 1, "the kept 'cars moved' to reach the server");
    }

    private static async Task<int> MovedConfirmedAsync(CallScenario s, string caseId)
    {
        await using var c = await s.App.Services.GetRequiredService<Db>().OpenAsync(CancellationToken.None);
        return await c.QuerySingleAsync<int>("SELECT COUNT(*) FROM parties WHERE case_id = @caseId AND moved_confirmed_at IS NOT NULL", new { caseId = Guid.Parse(caseId) });
    }
}
