using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>The driver whose report nobody answered is told why the case ended, in the page's language.</summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class QueueExpiryPageTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task A_driver_waiting_in_the_queue_is_told_that_nobody_answered_in_time()
    {
        var clock = new FixedClock(DateTimeOffset.UtcNow);
        await using var s = Start(chromium, new()
        {
            ["Cases:UnansweredExpiry"] = "00:10:00",
            ["Cases:ExpiryCheckInterval"] = "00:00:00.200",
        }, services => services.AddSingleton<TimeProvider>(clock));
        var driver = await s.PhoneAsync();
        var session = await ReportAsync(driver, "京A12345");
        await WaitForBodyAsync(driver, "hub", "connected");

        clock.Now = clock.Now.AddMinutes(11);
        using var party = s.Client(session.Token);
        await Eventually.Until(() => party.GetJsonAsync($"/api/cases/{session.CaseId}"),
            c => c.GetProperty("status").GetString() == "abandoned", "the case to expire");
        await WaitForBodyAsync(driver, "screen", "ended");
        await driver.GetByTestId("ended-title").Filter(new() { HasText = "暂时无法接通民警" }).WaitForAsync();
        Assert.Contains("122", await driver.GetByTestId("ended-text").InnerTextAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(driver, "driver-expired");
    }
}
