using AccidentRemote.Server.Auth;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>
/// A real driver still gets the insurer preselected from the policy records, now after the report
/// and for the own plate only, and records it by confirming; the console shows a conflict between
/// the declared insurer's record and another insurer's.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class InsurerSuggestionPageTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task The_driver_page_preselects_the_insurer_of_the_own_plate_after_the_report_and_the_console_flags_a_conflict()
    {
        await using var s = Start(chromium);
        var password = Secrets.NewPassword();
        await s.App.Services.GetRequiredService<OfficerStore>().CreateOrResetAsync("pa.desk", "pa.desk", Roles.Insurer, password, CancellationToken.None, "pingan");
        using var anonymous = s.Client();
        using var pingan = s.Client((await anonymous.PostJsonAsync("/api/officers/sign-in", new { username = "pa.desk", password })).GetProperty("token").GetString());
        var now = DateTimeOffset.UtcNow;
        await pingan.PostJsonAsync("/api/insurer/policies", new[]
        {
            new { plate = "京A12345", policyNumber = "PA-2026-0001", compulsoryValidFrom = now.AddMonths(-1), compulsoryValidTo = now.AddMonths(11) },
            new { plate = "沪AD12345", policyNumber = "PA-2026-0002", compulsoryValidFrom = now.AddMonths(-1), compulsoryValidTo = now.AddMonths(11) },
        });

        // The driver does not know the insurer: leaves "I don't know" and no policy number.
        var driver = await s.PhoneAsync();
        await WaitForBodyAsync(driver, "screen", "start");
        await driver.GetByTestId("start-report").ClickAsync();
        await AgreeToNoticeAsync(driver);
        await AnswerTriageAsync(driver);
        await WaitForBodyAsync(driver, "screen", "form");
        await driver.GetByTestId("phone").FillAsync("13812345678");
        await driver.GetByTestId("plate").FillAsync("京A12345");
        await driver.Locator("[data-testid=insurer] option[value=\"pingan\"]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        Assert.Equal("", await driver.GetByTestId("insurer").InputValueAsync()); // typing the plate asks nobody anything
        await driver.Locator("[data-testid=number-of-parties] label:has(input[value=\"1\"])").ClickAsync();
        await driver.GetByTestId("locate").ClickAsync();
        await driver.Locator("[data-testid=location-status][data-located=true]").WaitForAsync();
        await driver.GetByTestId("address").FillAsync("长安街与西单北大街路口");
        await driver.GetByTestId("submit").ClickAsync();
        await WaitForBodyAsync(driver, "screen", "waiting");
        var session = await SessionAsync(driver);

        // On the waiting screen: the insurer from the records, preselected, waiting for the driver's word.
        await driver.GetByTestId("insurer-card").WaitForAsync();
        Assert.Equal("pingan", await driver.GetByTestId("insurer-confirm-select").InputValueAsync());
        await ScreenshotAsync(driver, "driver-insurer-confirm", fullPage: true);
        using var officer = await s.App.OfficerClientAsync("sup1", Roles.Supervisor);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await officer.GetJsonAsync($"/api/cases/{session.CaseId}")).GetProperty("parties")[0].GetProperty("insurerCode").ValueKind);
        await driver.GetByTestId("insurer-confirm").ClickAsync();
        await driver.GetByTestId("insurer-card").WaitForAsync(new() { State = WaitForSelectorState.Hidden });
        Assert.Equal("pingan", (await officer.GetJsonAsync($"/api/cases/{session.CaseId}")).GetProperty("parties")[0].GetProperty("insurerCode").GetString());

        // The console: a party that declared PICC, where only Ping An has a record in force.
        var report = Api.Report("沪AD12345", "picc", parties: 1);
        var caseId = (await anonymous.PostJsonAsync("/api/cases", report, 201)).GetProperty("caseId").GetString()!;
        var console = await s.ConsoleAsync();
        await AcceptAsync(console, caseId);
        var flag = console.GetByTestId("tile-1-insurance-conflict");
        await flag.WaitForAsync();
        Assert.Equal("other_insurer_cover", await flag.GetAttributeAsync("data-value"));
        Assert.Equal("unknown", await console.GetByTestId("tile-1-insurance").GetAttributeAsync("data-value"));
        Assert.Contains("保单冲突", await flag.TextContentAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(console, "console-insurance-conflict");
        await console.GetByTestId("lang-switch").ClickAsync();
        await console.Locator("[data-testid=tile-1-insurance-conflict]").Filter(new() { HasText = "Policy conflict" }).WaitForAsync();
    }
}
