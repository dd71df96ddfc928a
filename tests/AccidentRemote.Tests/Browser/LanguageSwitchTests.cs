using System.Net.Http.Json;
using AccidentRemote.Server.Auth;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>
/// What was written before a language switch follows it, without a reload: the console's event log and
/// a case's fraud signals (their facts, not the server's English description), and on the insurer desk
/// the liability scenario by name (never its code) and the fraud signals.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class LanguageSwitchTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task The_consoles_event_log_and_fraud_details_switch_between_Chinese_and_English_without_a_reload()
    {
        await using var s = Start(chromium);
        var console = await s.ConsoleAsync();
        var caseId = (await LateReportAsync(s)).GetProperty("caseId").GetString()!;

        await AcceptAsync(console, caseId);
        var log = console.GetByTestId("event-log");
        var fraud = console.Locator("[data-testid=fraud-signal][data-code=late-report] [data-testid=fraud-detail]");
        await fraud.WaitForAsync();
        await log.Locator("li").First.WaitForAsync();
        Assert.Matches(@"报案时间比所说的事故时间晚了 3(\.\d)? 小时", await fraud.TextContentAsync());
        var zhLog = await log.InnerTextAsync();
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", zhLog);
        await ScreenshotAsync(console, "console-language-zh");

        await console.GetByTestId("lang-switch").ClickAsync();
        await console.WaitForFunctionAsync("() => document.documentElement.lang === 'en'");
        Assert.Matches(@"^Reported 3(\.\d)? hours after the stated accident time\.$", await fraud.TextContentAsync());
        var enLog = await log.InnerTextAsync();
        Assert.DoesNotMatch(@"\p{IsCJKUnifiedIdeographs}", enLog.Replace(PlateOf, "", StringComparison.Ordinal));
        Assert.Equal(zhLog.Split('\n').Length, enLog.Split('\n').Length);
        await ScreenshotAsync(console, "console-language-en");

        await console.GetByTestId("lang-switch").ClickAsync();
        await console.WaitForFunctionAsync("() => document.documentElement.lang === 'zh-CN'");
        Assert.Equal(zhLog, await log.InnerTextAsync());
    }

    [Fact]
    public async Task The_insurer_desk_shows_the_liability_scenario_and_fraud_details_translated()
    {
        await using var s = Start(chromium);
        using var officer = await s.OfficerClientAsync();
        var report = await LateReportAsync(s, parties: 2);
        var caseId = report.GetProperty("caseId").GetString()!;
        using var anonymous = s.Client();
        var joined = await anonymous.PostJsonAsync("/api/cases/join", Api.Join(report.GetProperty("joinCode").GetString()!), 201);
        await officer.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        var moved = await officer.PostJsonAsync($"/api/cases/{caseId}/vehicles-moved", null);
        var parties = moved.GetProperty("parties").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToArray();
        var liability = new { scenario = "rear-end", parties = new[] { new { partyId = parties[0], liability = "full" }, new { partyId = parties[1], liability = "none" } } };
        await (await officer.PutAsJsonAsync($"/api/cases/{caseId}/liability", liability)).JsonAsync(200);
        await Api.GiveDetailsAndSignAsync(anonymous, officer, caseId, [report.GetProperty("partyToken").GetString()!, joined.GetProperty("partyToken").GetString()!]);
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);

        var password = Secrets.NewPassword();
        await s.App.Services.GetRequiredService<OfficerStore>().CreateOrResetAsync("picc.desk", "picc.desk", Roles.Insurer, password, CancellationToken.None, "picc");
        var desk = await s.DesktopAsync("/desk");
        await WaitForBodyAsync(desk, "screen", "signin");
        await desk.GetByTestId("signin-username").FillAsync("picc.desk");
        await desk.GetByTestId("signin-password").FillAsync(password);
        await desk.GetByTestId("signin-submit").ClickAsync();
        await WaitForBodyAsync(desk, "screen", "claims");
        var item = desk.Locator($"[data-testid=claim-item][data-case-id=\"{caseId}\"]");
        // The embedded insurer inbox answers claims at once: the claim is under "acknowledged" once it has.
        var filters = new[] { "filter-acknowledged", "filter-unacknowledged" };
        var round = 0;
        await Eventually.Until(async () =>
        {
            await desk.GetByTestId(filters[round++ % 2]).ClickAsync();
            await desk.WaitForLoadStateAsync(LoadState.NetworkIdle);
            return await item.CountAsync();
        }, n => n == 1, "the claim on the desk", WaitLimit);
        await item.ClickAsync();

        var scenario = desk.GetByTestId("claim-scenario");
        var fraud = desk.Locator("[data-testid=claim-fraud-signal][data-code=late-report] [data-testid=fraud-detail]");
        await desk.Locator("[data-testid=claim-scenario]").Filter(new() { HasText = "追尾" }).WaitForAsync();
        Assert.Equal("追尾", await scenario.TextContentAsync());
        Assert.Matches(@"报案时间比所说的事故时间晚了 3(\.\d)? 小时", await fraud.TextContentAsync());
        await ScreenshotAsync(desk, "desk-language-zh");

        await desk.GetByTestId("lang-switch").ClickAsync();
        await desk.WaitForFunctionAsync("() => document.documentElement.lang === 'en'");
        await desk.Locator("[data-testid=claim-scenario]").Filter(new() { HasText = "Rear-end collision" }).WaitForAsync();
        Assert.Matches(@"^Reported 3(\.\d)? hours after the stated accident time\.$", await fraud.TextContentAsync());
    }

    private const string PlateOf = "京A12345";

    /// <summary>A report made three hours after its accident (so it carries the late-report signal), over the API.</summary>
    private static async Task<System.Text.Json.JsonElement> LateReportAsync(CallScenario s, int parties = 1)
    {
        using var anonymous = s.Client();
        var body = Api.Report(PlateOf, parties: parties);
        body["accidentTime"] = DateTimeOffset.UtcNow.AddHours(-3);
        return await anonymous.PostJsonAsync("/api/cases", body, 201);
    }
}
