using System.Globalization;
using System.Text.Json;
using AccidentRemote.Server.Auth;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AccidentRemote.Tests.Browser;

/// <summary>What the driver page keeps in sessionStorage["ar.driver"] once it has a case.</summary>
public sealed record DriverSession(string CaseId, string PartyId, int PartyNumber, string Token, string CaseNumber, string? JoinCode);

/// <summary>
/// One server on a real loopback port (Kestrel, SQLite, in-memory bus) and the browser contexts of
/// one story: phones for the drivers, a desktop for the officer. Everything a test does goes
/// through the pages' data-testid hooks (docs/pages.md); every wait is on a condition.
/// Disposing closes every context it opened and stops the server.
/// </summary>
public sealed class CallScenario : IAsyncDisposable
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);
    private const float TimeoutMs = 30_000;

    private readonly Chromium chromium;
    private readonly List<IBrowserContext> contexts = [];
    private readonly string evidencePath = Path.Combine(Path.GetTempPath(), $"ar-browser-evidence-{Guid.NewGuid():N}");
    private int officers;

    private CallScenario(Chromium chromium, bool turn, Dictionary<string, string?>? extra = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        this.chromium = chromium;
        var settings = new Dictionary<string, string?>(extra ?? []) { ["Evidence:StoragePath"] = evidencePath };
        if (turn)
        {
            var (url, secret) = TurnFromEnvironment();
            settings["Turn:Urls:0"] = url;
            settings["Turn:Secret"] = secret;
        }

        App = TestApp.Embedded(extra: settings, services: services);
        BaseUrl = App.StartKestrel();
    }

    private CallScenario(Chromium chromium, Dictionary<string, string?> settings)
    {
        this.chromium = chromium;
        settings["Evidence:StoragePath"] = evidencePath;
        App = TestApp.WithSettings(settings);
        BaseUrl = App.StartKestrel();
    }

    /// <summary>A server node with the given settings (e.g. one of several sharing PostgreSQL and Redis).</summary>
    public static CallScenario Node(Chromium chromium, Dictionary<string, string?> settings) => new(chromium, settings);

    public TestApp App { get; }

    public Uri BaseUrl { get; }

    /// <summary>A server without TURN: host candidates on loopback.</summary>
    public static CallScenario Start(Chromium chromium) => new(chromium, turn: false);

    /// <summary>A server without TURN, with further settings.</summary>
    public static CallScenario Start(Chromium chromium, Dictionary<string, string?> extra) => new(chromium, turn: false, extra);

    /// <summary>A server without TURN, with further settings and service replacements (a fixed clock).</summary>
    public static CallScenario Start(Chromium chromium, Dictionary<string, string?> extra, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection> services) =>
        new(chromium, turn: false, extra, services);

    /// <summary>A server that hands out credentials for the coturn infra/test.sh started, with any further settings.</summary>
    public static CallScenario StartWithTurn(Chromium chromium, Dictionary<string, string?>? extra = null) => new(chromium, turn: true, extra);

    public static (string Url, string Secret) TurnFromEnvironment()
    {
        var url = Environment.GetEnvironmentVariable("ACCIDENTREMOTE_TEST_TURN_URL");
        var secret = Environment.GetEnvironmentVariable("ACCIDENTREMOTE_TEST_TURN_SECRET");
        if (string.IsNullOrEmpty(url) || string.IsNullOrEmpty(secret))
        {
            throw new InvalidOperationException(
                "ACCIDENTREMOTE_TEST_TURN_URL and ACCIDENTREMOTE_TEST_TURN_SECRET are not set: run the browser tests with infra/test.sh, which starts coturn on loopback.");
        }

        return (url, secret);
    }

    // ---------- browsers ----------

    public async Task<IPage> PhoneAsync(string path = "/") => await OpenAsync(await chromium.PhoneAsync(BaseUrl), path);

    public async Task<IPage> DesktopAsync(string path = "/console") => await OpenAsync(await chromium.DesktopAsync(BaseUrl), path);

    /// <summary>
    /// A phone whose page is loaded from another origin (e.g. a <see cref="TcpProxy"/> in front of the server),
    /// with a script of the test's run before the page's own (after it, <see cref="PageProbe"/>).
    /// </summary>
    public async Task<IPage> PhoneThroughAsync(Uri origin, string initScript, string path = "/")
    {
        var context = await chromium.PhoneAsync(origin);
        await context.AddInitScriptAsync(initScript);
        return await OpenAsync(context, path);
    }

    private async Task<IPage> OpenAsync(IBrowserContext context, string path)
    {
        contexts.Add(context);
        return await OpenPageAsync(context, path);
    }

    /// <summary>Opens <paramref name="path"/> in a context of the caller's (who disposes it), with the test's waits and <see cref="PageProbe"/>.</summary>
    public static async Task<IPage> OpenPageAsync(IBrowserContext context, string path)
    {
        context.SetDefaultTimeout(TimeoutMs);
        await context.AddInitScriptAsync(PageProbe.Script);
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        return page;
    }

    // ---------- driver page ----------

    /// <summary>Fills the report form on the driver page as a driver would, and waits for the queue screen.</summary>
    public static async Task<DriverSession> ReportAsync(IPage page, string plate, int parties = 1, string insurer = "picc", string? otherPlate = null)
    {
        await WaitForBodyAsync(page, "screen", "start");
        await page.GetByTestId("start-report").ClickAsync();
        await AgreeToNoticeAsync(page);
        await AnswerTriageAsync(page);
        await WaitForBodyAsync(page, "screen", "form");
        await FillVehicleAsync(page, plate, insurer);
        await page.Locator($"[data-testid=number-of-parties] label:has(input[value=\"{parties}\"])").ClickAsync();
        await page.GetByTestId("locate").ClickAsync();
        await page.Locator("[data-testid=location-status][data-located=true]").WaitForAsync();
        await page.GetByTestId("address").FillAsync("长安街与西单北大街路口");
        if (otherPlate is not null)
        {
            await page.GetByTestId("other-plate").FillAsync(otherPlate);
            await ScreenshotAsync(page, "driver-report-other-plate", fullPage: true);
        }

        await OpenMoreAsync(page);
        await page.GetByTestId("policy-number").FillAsync("PDAA202611000001");
        await page.GetByTestId("submit").ClickAsync();
        await WaitForBodyAsync(page, "screen", "waiting");
        return await SessionAsync(page);
    }

    /// <summary>The safety questions that come first, one per screen, answered for a case that can be handled remotely: nobody hurt, the cars can move, no hazardous goods.</summary>
    public static async Task AnswerTriageAsync(IPage page)
    {
        await WaitForBodyAsync(page, "screen", "triage");
        await page.GetByTestId("triage-injured-no").ClickAsync();
        await page.GetByTestId("triage-drivable-yes").ClickAsync();
        await page.GetByTestId("triage-hazardous-no").ClickAsync();
    }

    /// <summary>Unfolds the form's optional part (policy number, accident time).</summary>
    public static async Task OpenMoreAsync(IPage page)
    {
        if (!await page.Locator("[data-testid=form-more]").EvaluateAsync<bool>("d => d.open"))
        {
            await page.Locator("[data-testid=form-more] summary").ClickAsync();
        }
    }

    /// <summary>Opens the join link (as the second driver scanning the QR would) and fills the join form.</summary>
    public async Task<(IPage Page, DriverSession Session)> JoinFromLinkAsync(string joinLink, string plate, string insurer = "pingan", Func<IPage, Task>? onForm = null)
    {
        // With the fragment: the link's secret travels there, as when the QR code is scanned.
        var page = await PhoneAsync(new Uri(joinLink).PathAndQuery + new Uri(joinLink).Fragment);
        return (page, await JoinAsync(page, plate, insurer, onForm));
    }

    /// <summary>On a driver page opened at a join link: agrees to the notice, fills the join form and waits for the queue screen.</summary>
    public static async Task<DriverSession> JoinAsync(IPage page, string plate, string insurer = "pingan", Func<IPage, Task>? onForm = null)
    {
        await AgreeToNoticeAsync(page);
        await WaitForBodyAsync(page, "screen", "form");
        if (onForm is not null)
        {
            await onForm(page);
        }

        await FillVehicleAsync(page, plate, insurer);
        await page.GetByTestId("submit").ClickAsync();
        await WaitForBodyAsync(page, "screen", "waiting");
        return await SessionAsync(page);
    }

    /// <summary>The privacy notice comes before the form: the driver reads it and presses "I agree" (enabled once the retention is loaded).</summary>
    public static async Task AgreeToNoticeAsync(IPage page)
    {
        await WaitForBodyAsync(page, "screen", "consent");
        await page.GetByTestId("consent-agree").ClickAsync();
    }

    private static async Task FillVehicleAsync(IPage page, string plate, string insurer)
    {
        await page.GetByTestId("phone").FillAsync("13812345678");
        await page.GetByTestId("plate").FillAsync(plate);
        await page.GetByTestId("vehicle-type").SelectOptionAsync("small-car");
        await page.Locator($"[data-testid=insurer] option[value=\"{insurer}\"]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.GetByTestId("insurer").SelectOptionAsync(insurer);
    }

    public static async Task<DriverSession> SessionAsync(IPage driver)
    {
        var json = await driver.EvaluateAsync<string?>("() => localStorage.getItem('ar.driver')")
            ?? throw new InvalidOperationException("The driver page has no case in localStorage.");
        return JsonSerializer.Deserialize<DriverSession>(json, TestApp.Json)!;
    }

    /// <summary>Video frames the driver page decoded from the officer (getStats inbound-rtp framesDecoded, all its connections).</summary>
    public static Task<long> DriverFramesAsync(IPage driver) => driver.EvaluateAsync<long>("() => window.__test.framesDecoded()");

    // ---------- officer console ----------

    /// <summary>Makes an officer account, opens the console (e.g. "?relay=1") and signs in through its form.</summary>
    public async Task<IPage> ConsoleAsync(string query = "", string role = Roles.Officer)
    {
        var username = $"officer{Interlocked.Increment(ref officers)}";
        var password = Secrets.NewPassword();
        await App.Services.GetRequiredService<OfficerStore>().CreateOrResetAsync(username, "Officer " + username, role, password, CancellationToken.None, badgeNumber: TestBadge.For(username));
        var page = await DesktopAsync("/console" + query);
        await SignInAsync(page, username, password);
        return page;
    }

    /// <summary>Signs in through the console's form and waits for the desk with its hub connected.</summary>
    public static async Task SignInAsync(IPage page, string username, string password)
    {
        await WaitForBodyAsync(page, "screen", "signin");
        await page.GetByTestId("signin-username").FillAsync(username);
        await page.GetByTestId("signin-password").FillAsync(password);
        await page.GetByTestId("signin-submit").ClickAsync();
        await WaitForBodyAsync(page, "screen", "desk");
        await WaitForBodyAsync(page, "hub", "connected");
    }

    /// <summary>An officer without a browser: a new account signed in over the API, as an HTTP client carrying its token.</summary>
    public async Task<HttpClient> OfficerClientAsync()
    {
        var username = $"officer{Interlocked.Increment(ref officers)}";
        var password = Secrets.NewPassword();
        await App.Services.GetRequiredService<OfficerStore>().CreateOrResetAsync(username, "Officer " + username, Roles.Officer, password, CancellationToken.None, badgeNumber: TestBadge.For(username));
        using var anonymous = Client();
        var signedIn = await anonymous.PostJsonAsync("/api/officers/sign-in", new { username, password });
        return Client(signedIn.GetProperty("token").GetString());
    }

    /// <summary>The officer's token, as the console keeps it.</summary>
    public static async Task<string> OfficerTokenAsync(IPage console)
    {
        var json = await console.EvaluateAsync<string>("() => sessionStorage.getItem('ar.officer')");
        return JsonDocument.Parse(json).RootElement.GetProperty("token").GetString()!;
    }

    public static ILocator QueueItem(IPage console, string caseId) => console.Locator($"[data-testid=queue-item][data-case-id=\"{caseId}\"]");

    /// <summary>Waits for the case in the live queue and presses its Accept button.</summary>
    public static async Task AcceptAsync(IPage console, string caseId)
    {
        var item = QueueItem(console, caseId);
        await item.WaitForAsync();
        await item.GetByTestId("queue-accept").ClickAsync();
        await console.GetByTestId("tile-1").WaitForAsync();
    }

    /// <summary>Frames the console rendered from party n (the tile video's data-frames).</summary>
    public static async Task<long> TileFramesAsync(IPage console, int partyNumber) =>
        long.Parse(await console.GetByTestId($"tile-{partyNumber}-video").GetAttributeAsync("data-frames") ?? "0", CultureInfo.InvariantCulture);

    // ---------- waiting ----------

    /// <summary>Waits until document.body.dataset[key] is value (e.g. "callState", "connected").</summary>
    public static async Task WaitForBodyAsync(IPage page, string key, string value, TimeSpan? timeout = null)
    {
        try
        {
            await page.WaitForFunctionAsync("([k, v]) => document.body.dataset[k] === v", new object[] { key, value },
                new() { Timeout = (float)(timeout ?? WaitLimit).TotalMilliseconds, PollingInterval = 50 });
        }
        catch (TimeoutException)
        {
            var now = await page.EvaluateAsync<string>("k => String(document.body.dataset[k])", key);
            throw new TimeoutException($"{page.Url}: body data-{key} stayed '{now}', expected '{value}'.");
        }
    }

    public static Task WaitForTileAsync(IPage console, int partyNumber, string state) =>
        console.Locator($"[data-testid=tile-{partyNumber}][data-state={state}]").WaitForAsync();

    /// <summary>Waits until a frame counter has grown by at least <paramref name="by"/> over <paramref name="from"/>: video is flowing now.</summary>
    public static Task<long> FramesGrowAsync(Func<Task<long>> frames, long from, string what, long by = 15) =>
        Eventually.Until(frames, n => n >= from + by, $"{what} frames to grow from {from} by {by}", WaitLimit);

    // ---------- HTTP ----------

    public HttpClient Client(string? token = null) => App.RealClient(token);

    // ---------- screenshots for the docs ----------

    public static bool Screenshots => Environment.GetEnvironmentVariable("ACCIDENTREMOTE_SCREENSHOTS") == "1";

    /// <summary>Saves docs/screenshots/{name}.png when ACCIDENTREMOTE_SCREENSHOTS=1 (never in CI).</summary>
    public static async Task ScreenshotAsync(IPage page, string name, bool fullPage = false)
    {
        if (!Screenshots)
        {
            return;
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AccidentRemote.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException("Cannot find the repository root (AccidentRemote.sln) for docs/screenshots.");
        }

        await page.ScreenshotAsync(new() { Path = Path.Combine(dir.FullName, "docs", "screenshots", name + ".png"), Scale = ScreenshotScale.Css, FullPage = fullPage });
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var context in contexts)
        {
            await context.DisposeAsync();
        }

        contexts.Clear();
        App.Dispose();
        if (Directory.Exists(evidencePath))
        {
            Directory.Delete(evidencePath, recursive: true);
        }
    }
}
