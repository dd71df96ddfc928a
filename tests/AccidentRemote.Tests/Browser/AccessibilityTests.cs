using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Documents;
using AccidentRemote.Tests.Documents;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>
/// Issue 13 point 19: axe-core finds no violation on any screen of the three pages and the verification page.
/// axe-core is a devDependency of ClientApp (npm); it is evaluated into the page (the CSP forbids a script tag).
/// To cover a new screen, add a step: get the page to it, then <c>await Audit(page, "name")</c>.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class AccessibilityTests(Chromium chromium) : IClassFixture<Chromium>
{
    private static readonly Lazy<string> AxeSource = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AccidentRemote.sln")))
        {
            dir = dir.Parent;
        }

        var path = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("AccidentRemote.sln not found"),
            "src", "AccidentRemote.Server", "ClientApp", "node_modules", "axe-core", "axe.min.js");
        return File.Exists(path) ? File.ReadAllText(path) : throw new InvalidOperationException($"{path} is missing: build the server project (it runs npm ci).");
    });

    // Each violation as one line: rule, impact, what it asks, and the elements.
    private const string RunAxe = """
        async () => {
          const r = await axe.run(document, { resultTypes: ["violations"] });
          return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
        }
        """;

    private readonly List<string> found = [];

    private async Task Audit(IPage page, string screen)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
        {
            await page.EvaluateAsync(AxeSource.Value);
        }

        foreach (var v in await page.EvaluateAsync<string[]>(RunAxe))
        {
            found.Add($"{screen}: {v}");
        }
    }

    private void AssertNone() => Assert.True(found.Count == 0, "axe-core violations:\n" + string.Join("\n", found));

    [Fact]
    public async Task The_driver_page_has_no_axe_violations_on_any_screen()
    {
        await using var s = Start(chromium);
        var start = await s.PhoneAsync();
        await WaitForBodyAsync(start, "screen", "start");
        await Audit(start, "driver start");
        await start.GetByTestId("start-report").ClickAsync();
        await WaitForBodyAsync(start, "screen", "consent");
        await Audit(start, "driver consent");
        await AgreeToNoticeAsync(start);
        await WaitForBodyAsync(start, "screen", "triage");
        await Audit(start, "driver safety question");
        await AnswerTriageAsync(start);
        await WaitForBodyAsync(start, "screen", "form");
        await OpenMoreAsync(start);
        await Audit(start, "driver form");
        await start.GetByTestId("plate-keyboard-toggle").ClickAsync();
        await Audit(start, "driver plate keyboard");

        var console = await s.ConsoleAsync();
        var driver = await s.PhoneAsync();
        var session = await ReportAsync(driver, "京A12345");
        await Audit(driver, "driver waiting");
        await AcceptAsync(console, session.CaseId);
        await WaitForBodyAsync(driver, "callState", "connected");
        await Audit(driver, "driver call");
        await console.GetByTestId("tile-1-photo").ClickAsync();
        await driver.GetByTestId("photo-panel").WaitForAsync();
        await Audit(driver, "driver call, photo asked");

        await console.GetByTestId("end-call").ClickAsync();
        await console.GetByTestId("confirm-ok").ClickAsync(); // the console's own confirmation before ending the call
        await WaitForBodyAsync(driver, "screen", "ended");
        await Audit(driver, "driver ended");
        AssertNone();
    }

    [Fact]
    public async Task The_console_the_insurer_desk_and_the_verification_page_have_no_axe_violations()
    {
        await using var s = Start(chromium);
        var signIn = await s.DesktopAsync();
        await signIn.SetViewportSizeAsync(1366, 768);
        await WaitForBodyAsync(signIn, "screen", "signin");
        await Audit(signIn, "console sign-in");

        var driver = await s.PhoneAsync();
        var session = await ReportAsync(driver, "京A12345");
        var console = await s.ConsoleAsync();
        await console.SetViewportSizeAsync(1366, 768);
        await QueueItem(console, session.CaseId).WaitForAsync();
        await Audit(console, "console queue");
        await AcceptAsync(console, session.CaseId);
        await console.GetByTestId("tile-1").WaitForAsync();
        await Audit(console, "console case open");

        var supervisor = await s.ConsoleAsync(role: Roles.Supervisor);
        await supervisor.SetViewportSizeAsync(1366, 768);
        await supervisor.GetByTestId("view-board").ClickAsync();
        await supervisor.GetByTestId("board").WaitForAsync();
        await supervisor.GetByTestId("board-updated").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex(@"\d") }).WaitForAsync();
        await Audit(supervisor, "console supervisor board");

        var username = "desk-a11y";
        var password = Secrets.NewPassword();
        await s.App.Services.GetRequiredService<OfficerStore>().CreateOrResetAsync(username, "Desk user", Roles.Insurer, password, CancellationToken.None, "picc");
        var desk = await s.DesktopAsync("/desk");
        await desk.SetViewportSizeAsync(1366, 768);
        await WaitForBodyAsync(desk, "screen", "signin");
        await Audit(desk, "desk sign-in");
        await desk.GetByTestId("signin-username").FillAsync(username);
        await desk.GetByTestId("signin-password").FillAsync(password);
        await desk.GetByTestId("signin-submit").ClickAsync();
        await WaitForBodyAsync(desk, "screen", "claims");
        await Audit(desk, "desk claims");

        var issued = await s.App.Services.GetRequiredService<DocumentStore>().IssueAsync(Guid.Parse(session.CaseId), SampleDocument.Model(), CancellationToken.None);
        var verify = await s.PhoneAsync($"/verify/{issued.VerificationCode}");
        await verify.Locator("input[type=file]").WaitForAsync();
        await Audit(verify, "verification page");
        await verify.GotoAsync("/verify/NOSUCHCODE");
        await Audit(verify, "verification page, code not found");
        AssertNone();
    }
}
