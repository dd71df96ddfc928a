using AccidentRemote.Tests.Infrastructure;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>
/// Two drivers who each report on their own phone: the second names the first's plate, the
/// first driver's page asks and confirms, and the second page follows into the one case.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class IntakePageTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task Two_drivers_report_on_their_phones_the_first_confirms_and_the_officer_sees_one_case()
    {
        await using var s = Start(chromium);
        var console = await s.ConsoleAsync();
        var driver1 = await s.PhoneAsync();
        var first = await ReportAsync(driver1, "京A12345", parties: 2);
        var driver2 = await s.PhoneAsync();
        var second = await ReportAsync(driver2, "京M99999", parties: 2, otherPlate: "京a12345");
        Assert.NotEqual(first.CaseId, second.CaseId);
        await driver2.Locator("[data-testid=intake-notice]:visible").WaitForAsync();
        await console.Locator($"[data-testid=queue-item][data-case-id=\"{second.CaseId}\"] [data-testid=queue-duplicate]").WaitForAsync();
        // The driver's address is shown in its own bidi isolate, apart from the text around it.
        Assert.Equal("长安街与西单北大街路口", await QueueItem(console, first.CaseId).Locator(".q-sub bdi").TextContentAsync());
        await ScreenshotAsync(console, "console-possible-duplicate");

        // The first driver's page asks, over the hub, naming only the other plate.
        var question = driver1.Locator("[data-testid=duplicate-question]:visible");
        await question.WaitForAsync();
        Assert.Contains("京M99999", await question.TextContentAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(driver1, "driver-duplicate-question", fullPage: true);
        await driver1.GetByTestId("duplicate-yes").ClickAsync();
        await driver1.Locator("[data-testid=duplicate-card]").WaitForAsync(new() { State = Microsoft.Playwright.WaitForSelectorState.Hidden });

        // The second page follows into the first case without a reload.
        var moved = await Eventually.Until(() => SessionAsync(driver2), x => x.CaseId == first.CaseId, "the second driver's page to follow the merge");
        Assert.Equal(2, moved.PartyNumber);
        Assert.Equal(first.CaseNumber, await driver2.GetByTestId("case-number").TextContentAsync());
        await ScreenshotAsync(driver2, "driver-merged", fullPage: true);
        // The first driver sees who is in the case now (plate, masked phone) and could turn them away.
        var joined = driver1.Locator("[data-testid=joined-list] li:visible");
        await joined.WaitForAsync();
        Assert.Contains("京M99999", await joined.TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("138****5678", await joined.TextContentAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(driver1, "driver-joined", fullPage: true);
        await QueueItem(console, second.CaseId).WaitForAsync(new() { State = Microsoft.Playwright.WaitForSelectorState.Detached });

        // The officer sees one case with both vehicles, and both phones in the call.
        await AcceptAsync(console, first.CaseId);
        await console.GetByTestId("tile-2").WaitForAsync();
        Assert.Equal("长安街与西单北大街路口", await console.Locator("[data-testid=case-summary] bdi").TextContentAsync());
        await WaitForBodyAsync(driver1, "callState", "connected");
        await WaitForBodyAsync(driver2, "callState", "connected");
    }
}
