using System.Text.Json;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Playwright;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>
/// The end of the driver's story: after the case closes, each vehicle's insurer answers with its
/// claim report number (报案号; the embedded insurer inbox plays the insurers and answers DEV-…),
/// and each driver's page shows the number of its own insurer, in the page's language.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class ClaimAcknowledgementTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task After_the_case_closes_each_driver_page_shows_its_own_insurers_claim_number_in_its_language_and_still_after_a_reload()
    {
        await using var s = Start(chromium);
        using var officer = await s.OfficerClientAsync();
        var driver1 = await s.PhoneAsync();
        var first = await ReportAsync(driver1, "京A12345", parties: 2, insurer: "picc");
        var link = driver1.GetByTestId("share-link");
        await link.WaitForAsync();
        var (driver2, second) = await s.JoinFromLinkAsync(new Uri(s.BaseUrl, await link.GetAttributeAsync("href")).ToString(), "沪AD12345", "pingan");
        await driver2.GetByTestId("lang-switch").ClickAsync();
        await driver2.WaitForFunctionAsync("() => document.documentElement.lang === 'en'");
        var caseId = first.CaseId;

        // The officer's part over the API: this test is about what the drivers see at the end.
        await officer.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        await officer.PostJsonAsync($"/api/cases/{caseId}/vehicles-moved", null);
        var liability = new
        {
            scenario = "rear-end", facts = "乙车追尾甲车",
            parties = new[] { new { partyId = first.PartyId, liability = "full" }, new { partyId = second.PartyId, liability = "none" } },
        };
        await (await officer.PutAsync($"/api/cases/{caseId}/liability", JsonContent(liability))).JsonAsync(200);
        using var anonymous = s.Client();
        await Api.GiveDetailsAndSignAsync(anonymous, officer, caseId, [first.Token, second.Token]);
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);

        // What the insurers answered, as staff see it.
        var claims = await Eventually.Until(() => officer.GetJsonAsync($"/api/cases/{caseId}/claims"),
            c => c.GetArrayLength() == 2 && c.EnumerateArray().All(x => x.GetProperty("claimReportNumber").ValueKind == JsonValueKind.String),
            "both claims acknowledged by their insurers", WaitLimit);
        string NumberOf(string partyId) => claims.EnumerateArray().Single(c => c.GetProperty("partyId").GetString() == partyId).GetProperty("claimReportNumber").GetString()!;
        var picc = NumberOf(first.PartyId);
        var pingan = NumberOf(second.PartyId);
        Assert.StartsWith("DEV-PICC-", picc, StringComparison.Ordinal);
        Assert.StartsWith("DEV-PINGAN-", pingan, StringComparison.Ordinal);
        var insurers = (await anonymous.GetJsonAsync("/api/insurers")).EnumerateArray().ToDictionary(i => i.GetProperty("code").GetString()!);

        await ClaimShownAsync(driver1, picc, insurers["picc"].GetProperty("nameZh").GetString()!, insurers["picc"].GetProperty("hotline").GetString()!);
        await ClaimShownAsync(driver2, pingan, insurers["pingan"].GetProperty("nameEn").GetString()!, insurers["pingan"].GetProperty("hotline").GetString()!);
        await ScreenshotAsync(driver1, "driver-ended");

        // The push reaches only a connected page: a page reloaded after the insurer answered asks the server.
        await driver1.ReloadAsync();
        await ClaimShownAsync(driver1, picc, insurers["picc"].GetProperty("nameZh").GetString()!, insurers["picc"].GetProperty("hotline").GetString()!);
        await driver2.ReloadAsync();
        await ClaimShownAsync(driver2, pingan, insurers["pingan"].GetProperty("nameEn").GetString()!, insurers["pingan"].GetProperty("hotline").GetString()!);

        // A language switch redraws the insurer's name too.
        await driver2.GetByTestId("lang-switch").ClickAsync();
        await driver2.Locator("[data-testid=claim-insurer]").Filter(new() { HasText = insurers["pingan"].GetProperty("nameZh").GetString()! }).WaitForAsync();
    }

    private static async Task ClaimShownAsync(IPage driver, string number, string insurerName, string hotline)
    {
        await WaitForBodyAsync(driver, "screen", "ended");
        var card = driver.GetByTestId("claim");
        await card.WaitForAsync();
        await driver.Locator("[data-testid=claim-number]").Filter(new() { HasText = number }).WaitForAsync();
        Assert.Equal(number, (await driver.GetByTestId("claim-number").TextContentAsync())?.Trim());
        Assert.Contains(insurerName, await driver.GetByTestId("claim-insurer").TextContentAsync(), StringComparison.Ordinal);

        // The insurer's contact stays with the driver after the case (issue 10: what a closed case's link still gives).
        Assert.False(string.IsNullOrEmpty(hotline));
        Assert.Equal($"tel:{hotline}", await driver.GetByTestId("claim-hotline").GetAttributeAsync("href"));
        Assert.True(await driver.GetByTestId("claim-hotline").IsVisibleAsync());
    }

    private static System.Net.Http.Json.JsonContent JsonContent(object body) => System.Net.Http.Json.JsonContent.Create(body);
}
