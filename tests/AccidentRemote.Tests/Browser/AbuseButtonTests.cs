using AccidentRemote.Tests.Infrastructure;
using Microsoft.Playwright;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>The console's Abuse button on a waiting report closes it and takes it out of the queue.</summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class AbuseButtonTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task The_abuse_button_on_a_waiting_report_closes_it_as_abuse()
    {
        await using var s = Start(chromium);
        using var anonymous = s.Client();
        var caseId = (await anonymous.PostJsonAsync("/api/cases", Api.Report("京A12345", parties: 1), 201)).GetProperty("caseId").GetString()!;
        var console = await s.ConsoleAsync();
        var item = QueueItem(console, caseId);
        await item.WaitForAsync();
        await ScreenshotAsync(console, "console-queue-abuse");
        console.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await item.GetByTestId("queue-abuse").ClickAsync();
        await item.WaitForAsync(new() { State = WaitForSelectorState.Detached });

        var officer = s.Client(await OfficerTokenAsync(console));
        Assert.Equal("abandoned", (await officer.GetJsonAsync($"/api/cases/{caseId}")).GetProperty("status").GetString());
        await anonymous.PostJsonAsync("/api/cases", Api.Report("京A12346", parties: 1), 403); // this client reported the abuse
    }
}
