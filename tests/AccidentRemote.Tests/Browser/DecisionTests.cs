using System.Net.Http.Json;
using System.Text.Json;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Playwright;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>
/// Issue 13, point 6: the decision in plain words on the phone before the signature pad (each party's liability, the
/// facts, the right to a review within three days), and "I disagree" instead of signing: recorded, shown on the
/// officer's console at once, and the case does not close past it until the officer revises and issues again.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class DecisionTests(Chromium chromium) : IClassFixture<Chromium>
{
    private sealed record Texts(string Full, string None, string Scenario, string Review, string Recorded);

    private static Texts For(string lang) => lang == "en"
        ? new("Full liability", "No liability", "Rear-end collision", "within 3 days", "Your objection is recorded")
        : new("全部责任", "无责任", "追尾", "三日内", "您的异议已记录");

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("en")]
    public async Task Before_signing_the_phone_shows_each_partys_liability_the_facts_and_the_right_to_a_review(string lang)
    {
        await using var s = Start(chromium);
        using var officer = await s.OfficerClientAsync();
        var driver = await PhoneInAsync(s, lang);
        var me = await ReportAsync(driver, "京A12345", parties: 2);
        await IssueAsync(s, officer, me, accept: true);

        var texts = For(lang);
        await driver.GetByTestId("sign-card").WaitForAsync();
        var mine = driver.GetByTestId("decision-party-1");
        await mine.Filter(new() { HasText = texts.Full }).WaitForAsync();
        Assert.Contains("京A12345", await mine.TextContentAsync(), StringComparison.Ordinal);
        var theirs = await driver.GetByTestId("decision-party-2").TextContentAsync();
        Assert.Contains("沪AD12345", theirs, StringComparison.Ordinal);
        Assert.Contains(texts.None, theirs, StringComparison.Ordinal);
        var facts = await driver.GetByTestId("decision-facts").TextContentAsync();
        Assert.Contains("甲车追尾乙车", facts, StringComparison.Ordinal);
        Assert.Contains(texts.Scenario, facts, StringComparison.Ordinal);
        Assert.Contains("长安街与西单北大街路口", await driver.GetByTestId("decision-place").TextContentAsync(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(await driver.GetByTestId("decision-time").TextContentAsync()));
        Assert.Contains(texts.Review, await driver.GetByTestId("decision-review").TextContentAsync(), StringComparison.Ordinal);

        // All of it above the signature pad, without opening the PDF.
        var decisionBox = await driver.GetByTestId("decision").BoundingBoxAsync();
        var padBox = await driver.GetByTestId("sign-pad").BoundingBoxAsync();
        Assert.True(decisionBox!.Y + decisionBox.Height <= padBox!.Y, "the decision comes before the signature pad");
        await driver.EvaluateAsync("() => document.querySelector('[data-testid=sign-card]').scrollIntoView({ block: 'start' })");
        await ScreenshotAsync(driver, $"driver-decision-{lang}");
    }

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("en")]
    public async Task A_party_that_disagrees_is_recorded_the_console_is_told_and_the_case_does_not_close_until_the_officer_issues_again(string lang)
    {
        await using var s = Start(chromium);
        var console = await s.ConsoleAsync();
        using var officer = s.Client(await OfficerTokenAsync(console));
        var driver = await PhoneInAsync(s, lang);
        var me = await ReportAsync(driver, "京A12345", parties: 2);
        await AcceptAsync(console, me.CaseId);
        var partyIds = await IssueAsync(s, officer, me, accept: false);
        var texts = For(lang);

        await driver.GetByTestId("sign-card").WaitForAsync();
        await driver.GetByTestId("disagree-open").ClickAsync();
        await driver.GetByTestId("objection-reason-liability").CheckAsync();
        await driver.GetByTestId("objection-text").FillAsync("对方急刹车");
        await driver.EvaluateAsync("() => document.querySelector('[data-testid=objection-form]').scrollIntoView({ block: 'start' })");
        await ScreenshotAsync(driver, $"driver-disagree-{lang}");
        await driver.GetByTestId("objection-submit").ClickAsync();

        // The phone: recorded, and what happens next; the signature pad is gone.
        var recorded = driver.GetByTestId("objection-recorded");
        await recorded.Filter(new() { HasText = texts.Recorded }).WaitForAsync();
        Assert.False(await driver.GetByTestId("sign-card").IsVisibleAsync());
        await ScreenshotAsync(driver, $"driver-objection-recorded-{lang}");

        // The console, at once (pushed): the objection on the case, with the driver's words, and in the event log.
        await console.GetByTestId("objection-1").Filter(new() { HasText = "对方急刹车" }).WaitForAsync();
        await console.Locator("[data-testid=event-log] li[data-event=PartyObjected]").WaitForAsync();
        if (lang == "zh-CN")
        {
            await ScreenshotAsync(console, "console-objection");
        }

        // Not silently closed: the close is refused with the reason, and the case still awaits signatures.
        var close = await officer.PostAsync($"/api/cases/{me.CaseId}/close", null);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, close.StatusCode);
        Assert.Contains("当事人1不同意", await close.Content.ReadAsStringAsync(), StringComparison.Ordinal); // the server answers in Chinese unless asked otherwise
        await console.Locator("[data-testid=case-status][data-status=awaiting_signatures]").WaitForAsync();

        // A reload of the phone still shows the objection as recorded (the server says so, not the tab).
        await driver.ReloadAsync();
        await recorded.WaitForAsync();

        // The officer revises and issues again: the phone asks for a signature on the new version, the console's note goes.
        var equal = new { scenario = "other", facts = "双方均有过错", parties = new[] { new { partyId = partyIds[0], liability = "equal" }, new { partyId = partyIds[1], liability = "equal" } } };
        (await officer.PutAsJsonAsync($"/api/cases/{me.CaseId}/liability", equal)).EnsureSuccessStatusCode();
        (await officer.PostAsJsonAsync($"/api/cases/{me.CaseId}/document", new { weather = "晴" })).EnsureSuccessStatusCode();
        await driver.GetByTestId("sign-card").WaitForAsync();
        await driver.GetByTestId("decision-facts").Filter(new() { HasText = "双方均有过错" }).WaitForAsync();
        Assert.False(await recorded.IsVisibleAsync());
        await console.GetByTestId("objections").WaitForAsync(new() { State = WaitForSelectorState.Hidden });
    }

    private static async Task<IPage> PhoneInAsync(CallScenario s, string lang)
    {
        var driver = await s.PhoneAsync();
        if (lang == "en")
        {
            await WaitForBodyAsync(driver, "screen", "start");
            await driver.GetByTestId("lang-switch").ClickAsync();
            await driver.WaitForFunctionAsync("() => document.documentElement.lang === 'en'");
        }

        return driver;
    }

    /// <summary>
    /// The other driver joins, and the officer's part over the API: accept (unless the console did), moved, liability (party 1 full,
    /// party 2 none, with the facts), both parties' details, the document issued. Returns the party ids.
    /// </summary>
    private static async Task<string[]> IssueAsync(CallScenario s, HttpClient officer, DriverSession me, bool accept)
    {
        using var anonymous = s.Client();
        var joined = await anonymous.PostJsonAsync("/api/cases/join", Api.Join(me.JoinCode!, "沪AD12345", "pingan"), 201);
        string[] tokens = [me.Token, joined.GetProperty("partyToken").GetString()!];
        if (accept)
        {
            await officer.PostJsonAsync($"/api/cases/{me.CaseId}/accept", null);
        }

        var moved = await officer.PostJsonAsync($"/api/cases/{me.CaseId}/vehicles-moved", null);
        var partyIds = moved.GetProperty("parties").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToArray();
        var liability = new { scenario = "rear-end", facts = "甲车追尾乙车", parties = new[] { new { partyId = partyIds[0], liability = "full" }, new { partyId = partyIds[1], liability = "none" } } };
        await (await officer.PutAsJsonAsync($"/api/cases/{me.CaseId}/liability", liability)).JsonAsync(200);
        string[] names = ["张伟", "李娜"];
        for (var i = 0; i < tokens.Length; i++)
        {
            await (await Api.Authorized(anonymous, HttpMethod.Put, $"/api/cases/{me.CaseId}/parties/me", tokens[i], new { name = names[i], idNumber = Api.IdNumbers[i] })).JsonAsync(200);
        }

        await officer.PostJsonAsync($"/api/cases/{me.CaseId}/document", new { weather = "晴" });
        return partyIds;
    }
}
