using AccidentRemote.Server.Auth;
using AccidentRemote.Tests.Infrastructure;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>The supervisor board lists who read which driver's personal data; an officer's board does not.</summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class ReadAuditBoardTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task A_supervisor_sees_the_reads_of_personal_data_on_the_board_and_an_officer_does_not()
    {
        await using var s = Start(chromium);
        var officer = await s.OfficerClientAsync();
        using var anonymous = s.Client();
        var report = await anonymous.PostJsonAsync("/api/cases", Api.Report(), 201);
        var caseId = report.GetProperty("caseId").GetString()!;
        await officer.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        await officer.GetJsonAsync($"/api/cases/{caseId}");

        var supervisor = await s.ConsoleAsync(role: Roles.Supervisor);
        await supervisor.Keyboard.PressAsync("Alt+2");
        var rows = supervisor.GetByTestId("read-rows").Locator("tr");
        await Eventually.Until(() => rows.CountAsync(), n => n >= 2, "the accept answer and the case read on the board");
        var first = await rows.First.InnerTextAsync();
        Assert.Contains("phone", first, StringComparison.Ordinal);
        Assert.Contains("case", first, StringComparison.Ordinal);
        Assert.Contains(caseId[..8], first, StringComparison.Ordinal);
        Assert.DoesNotContain("13812345678", await supervisor.GetByTestId("reads").InnerTextAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(supervisor, "console-board-reads", fullPage: true);

        var plain = await s.ConsoleAsync();
        await plain.Keyboard.PressAsync("Alt+2");
        await WaitForBoardAsync(plain);
        Assert.True(await plain.GetByTestId("reads").IsHiddenAsync());
    }

    private static Task WaitForBoardAsync(Microsoft.Playwright.IPage page) =>
        page.Locator("[data-testid=board][data-state=ready], [data-testid=board][data-state=error]").WaitForAsync();
}
