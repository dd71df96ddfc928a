using System.Net.Http.Json;
using System.Text.Json;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Playwright;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>
/// Issue 13, point 8: the case outlives the tab. The phone keeps it until the party token ends, a case link (/case#token)
/// reopens it in another browser, and "my case" after the close shows the progress, where the document went, the claim
/// number with a copy button and the insurer's hotline.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class CaseLinkTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task Closing_the_page_and_opening_the_start_page_again_restores_the_case()
    {
        await using var s = Start(chromium);
        var driver = await s.PhoneAsync();
        var me = await ReportAsync(driver, "京A12345", parties: 1);
        var context = driver.Context;
        await driver.CloseAsync();

        var again = await context.NewPageAsync();
        await again.GotoAsync("/");
        await WaitForBodyAsync(again, "screen", "waiting");
        Assert.Equal(me.CaseNumber, (await again.GetByTestId("case-number").First.TextContentAsync())?.Trim());
        var kept = await SessionAsync(again);
        Assert.Equal(me.CaseId, kept.CaseId);
        var keepUntil = await again.EvaluateAsync<string>("() => JSON.parse(localStorage.getItem('ar.driver')).keepUntil");
        Assert.True(DateTimeOffset.Parse(keepUntil, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddHours(1));
    }

    [Theory]
    [InlineData("zh-CN", "链接已复制")]
    [InlineData("en", "Link copied")]
    public async Task The_case_link_opened_in_a_fresh_browser_restores_the_case_and_leaves_no_token_in_the_address(string lang, string copied)
    {
        await using var s = Start(chromium);
        var driver = await s.PhoneAsync();
        await driver.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await SwitchAsync(driver, lang);
        var me = await ReportAsync(driver, "京A12345", parties: 1);

        var card = driver.GetByTestId("case-link-waiting");
        await card.WaitForAsync();
        var link = (await card.Locator("[data-case-link-text]").TextContentAsync())!.Trim();
        Assert.Equal($"{s.BaseUrl.GetLeftPart(UriPartial.Authority)}/case#{me.Token}", link);
        await driver.GetByTestId("case-link-copy-waiting").ClickAsync();
        await driver.GetByTestId("case-link-copy-waiting").Filter(new() { HasText = copied }).WaitForAsync();
        Assert.Equal(link, await driver.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await card.ScrollIntoViewIfNeededAsync();
        await ScreenshotAsync(driver, $"driver-case-link-{lang}");

        // Another browser on the phone: nothing stored, only the link.
        var uri = new Uri(link);
        var other = await s.PhoneAsync(uri.AbsolutePath + uri.Fragment);
        await WaitForBodyAsync(other, "screen", "waiting");
        Assert.Equal(me.CaseNumber, (await other.GetByTestId("case-number").First.TextContentAsync())?.Trim());
        Assert.Equal(me.PartyId, (await SessionAsync(other)).PartyId);
        Assert.DoesNotContain("ar_p_", other.Url, StringComparison.Ordinal);
        Assert.Equal("/", new Uri(other.Url).AbsolutePath);
    }

    [Theory]
    [InlineData("zh-CN", "已复制")]
    [InlineData("en", "Copied")]
    public async Task My_case_after_the_close_shows_the_progress_where_the_document_went_the_claim_number_with_copy_and_the_hotline(string lang, string copied)
    {
        await using var s = Start(chromium);
        using var officer = await s.OfficerClientAsync();
        var driver = await s.PhoneAsync();
        await driver.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await SwitchAsync(driver, lang);
        var me = await ReportAsync(driver, "京A12345", parties: 1, insurer: "picc");

        await officer.PostJsonAsync($"/api/cases/{me.CaseId}/accept", null);
        await officer.PostJsonAsync($"/api/cases/{me.CaseId}/vehicles-moved", null);
        var liability = new { scenario = "rear-end", facts = "甲车追尾护栏", parties = new[] { new { partyId = me.PartyId, liability = "full" } } };
        (await officer.PutAsJsonAsync($"/api/cases/{me.CaseId}/liability", liability)).EnsureSuccessStatusCode();
        using var anonymous = s.Client();
        await Api.GiveDetailsAndSignAsync(anonymous, officer, me.CaseId, [me.Token]);
        await officer.PostJsonAsync($"/api/cases/{me.CaseId}/close", null);

        var claims = await Eventually.Until(() => officer.GetJsonAsync($"/api/cases/{me.CaseId}/claims"),
            c => c.GetArrayLength() == 1 && c[0].GetProperty("claimReportNumber").ValueKind == JsonValueKind.String, "the claim acknowledged", WaitLimit);
        var number = claims[0].GetProperty("claimReportNumber").GetString()!;
        var picc = (await anonymous.GetJsonAsync("/api/insurers")).EnumerateArray().Single(i => i.GetProperty("code").GetString() == "picc");

        await WaitForBodyAsync(driver, "screen", "ended");
        await driver.Locator("[data-testid=claim-number]").Filter(new() { HasText = number }).WaitForAsync();
        await driver.Locator("[data-testid=my-case-progress] li[data-step=claimDelivered][data-done=true]").WaitForAsync();
        foreach (var step in new[] { "reported", "onVideo", "moved", "signed", "closed" })
        {
            Assert.Equal("true", await driver.Locator($"[data-testid=my-case-progress] li[data-step={step}]").GetAttributeAsync("data-done"));
        }

        Assert.Equal(me.CaseNumber, (await driver.GetByTestId("my-case-number").TextContentAsync())?.Trim());
        var insurerName = picc.GetProperty(lang == "en" ? "nameEn" : "nameZh").GetString()!;
        await driver.GetByTestId("document-sent").Filter(new() { HasText = insurerName }).WaitForAsync();
        Assert.Equal($"tel:{picc.GetProperty("hotline").GetString()}", await driver.GetByTestId("claim-hotline").GetAttributeAsync("href"));
        Assert.True(await driver.GetByTestId("claim-hotline").IsVisibleAsync());

        await driver.GetByTestId("claim-copy").ClickAsync();
        await driver.GetByTestId("claim-copy").Filter(new() { HasText = copied }).WaitForAsync();
        Assert.Equal(number, await driver.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        Assert.True(await driver.GetByTestId("case-link-ended").IsVisibleAsync());
        await driver.EvaluateAsync("() => window.scrollTo(0, 0)");
        await ScreenshotAsync(driver, $"driver-my-case-{lang}");
    }

    private static async Task SwitchAsync(IPage driver, string lang)
    {
        if (lang != "en")
        {
            return;
        }

        await WaitForBodyAsync(driver, "screen", "start");
        await driver.GetByTestId("lang-switch").ClickAsync();
        await driver.WaitForFunctionAsync("() => document.documentElement.lang === 'en'");
    }
}
