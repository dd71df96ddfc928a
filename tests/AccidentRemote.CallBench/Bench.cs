using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using AccidentRemote.Tests.Browser;
using Microsoft.Playwright;

namespace AccidentRemote.CallBench;

/// <summary>
/// N sequential calls in Chromium against the real server: a driver reports on the driver page,
/// an officer (a fresh console per call) accepts from the live queue, both ends wait for the first
/// remote video frame. Timestamps are taken inside the pages (Date.now(), one machine clock):
/// the driver's form submit, the queue item appearing in the console (MutationObserver), the
/// accept click, the first frame presented at the console tile (its data-frames, set by
/// requestVideoFrameCallback) and at the driver's remote video (requestVideoFrameCallback).
/// Must run in a network namespace with only loopback: infra/bench-calls.sh.
/// </summary>
public static class Bench
{
    private static readonly string[] ChromiumArgs =
    [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--autoplay-policy=no-user-gesture-required", "--allow-loopback-in-peer-connection",
    ];

    /// <summary>Bench timestamps in the driver page: submit, ICE connected, first remote frame.</summary>
    private const string DriverProbe = """
(() => {
  const b = window.__bench = { submitAt: null, connectedAt: null, firstFrameAt: null };
  document.addEventListener('submit', () => { if (!b.submitAt) b.submitAt = Date.now(); }, true);
  new MutationObserver(() => {
    if (!b.connectedAt && document.body && document.body.dataset.callState === 'connected') b.connectedAt = Date.now();
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-call-state'] });
  document.addEventListener('DOMContentLoaded', () => {
    const v = document.querySelector('[data-testid=remote-video]');
    v.requestVideoFrameCallback(() => { b.firstFrameAt = Date.now(); });
  });
})();
""";

    /// <summary>Bench timestamps in the console: each case's first appearance in the queue, accept click, first tile frame.</summary>
    private const string ConsoleProbe = """
(() => {
  const b = window.__bench = { seen: {}, acceptAt: null, firstTileFrameAt: null };
  document.addEventListener('click', (e) => { if (e.target.closest && e.target.closest('[data-testid=queue-accept]')) b.acceptAt = Date.now(); }, true);
  new MutationObserver((records) => {
    const now = Date.now();
    for (const r of records) {
      if (r.type === 'childList') {
        for (const n of r.addedNodes) {
          if (n.nodeType !== 1) continue;
          const items = n.matches('[data-testid=queue-item]') ? [n] : [...n.querySelectorAll('[data-testid=queue-item]')];
          for (const i of items) if (!b.seen[i.dataset.caseId]) b.seen[i.dataset.caseId] = now;
        }
      } else if (r.attributeName === 'data-frames' && r.target.dataset.testid === 'tile-1-video' && r.target.dataset.frames !== '0' && !b.firstTileFrameAt) {
        b.firstTileFrameAt = now;
      }
    }
  }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-frames'] });
})();
""";

    public static async Task<int> Main(string[] args)
    {
        var calls = 10;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--calls" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0)
            {
                calls = n;
                i++;
            }
            else
            {
                await Console.Error.WriteLineAsync("usage: AccidentRemote.CallBench [--calls N]   (run it with infra/bench-calls.sh)");
                return 2;
            }
        }

        var root = RepositoryRoot();
        var chromiumPath = Environment.GetEnvironmentVariable("ACCIDENTREMOTE_TEST_CHROMIUM") ?? "/usr/bin/chromium";
        static void Line(string s = "") => Console.WriteLine(s);

        using var server = new BenchServer(root);
        var baseUrl = server.Start();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromiumPath, Headless = true, Args = ChromiumArgs });

        Line($"# Call bench: {calls} sequential calls");
        Line();
        Line($"- machine: {Environment.ProcessorCount} logical CPUs (nproc), {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        Line($"- browser: Chromium {browser.Version} (headless, fake camera), server: Kestrel on {baseUrl}, SQLite, in-memory bus");
        Line();
        Line("| call | report → in queue (ms) | accept → first frame at console (ms) | accept → first frame at driver (ms) | accept → ICE connected at driver (ms) |");
        Line("| ---: | ---: | ---: | ---: | ---: |");

        var results = new List<CallTimes>();
        for (var i = 1; i <= calls; i++)
        {
            var times = await OneCallAsync(browser, server, baseUrl, i);
            results.Add(times);
            Line($"| {i} | {times.ReportToQueue} | {times.AcceptToConsoleFrame} | {times.AcceptToDriverFrame} | {times.AcceptToDriverConnected} |");
        }

        Line();
        Line("| measure | p50 (ms) | p90 (ms) | max (ms) |");
        Line("| --- | ---: | ---: | ---: |");
        Summary(Line, "report → officer sees it in the queue", results.Select(r => r.ReportToQueue));
        Summary(Line, "accept → first remote frame at the console", results.Select(r => r.AcceptToConsoleFrame));
        Summary(Line, "accept → first remote frame at the driver", results.Select(r => r.AcceptToDriverFrame));
        Summary(Line, "accept → ICE connected at the driver", results.Select(r => r.AcceptToDriverConnected));

        var driverJs = Path.Combine(root, "src", "AccidentRemote.Server", "wwwroot", "dist", "driver.js");
        var bytes = await File.ReadAllBytesAsync(driverJs);
        Line();
        Line($"Driver page JavaScript (`wwwroot/dist/driver.js`): {bytes.Length:N0} bytes raw, {Gzip(bytes, CompressionLevel.Optimal):N0} bytes gzip (Optimal, as served), {Gzip(bytes, CompressionLevel.SmallestSize):N0} bytes gzip (SmallestSize).");
        return 0;
    }

    private sealed record CallTimes(long ReportToQueue, long AcceptToConsoleFrame, long AcceptToDriverFrame, long AcceptToDriverConnected);

    private static async Task<CallTimes> OneCallAsync(IBrowser browser, BenchServer server, Uri baseUrl, int n)
    {
        var (username, password) = await server.OfficerAsync($"bench{n}");
        await using var officerContext = await browser.NewContextAsync(new()
        {
            BaseURL = baseUrl.ToString(), ViewportSize = new() { Width = 1440, Height = 900 }, Locale = "zh-CN", Permissions = ["camera", "microphone"],
        });
        await using var phoneContext = await browser.NewContextAsync(new()
        {
            BaseURL = baseUrl.ToString(), ViewportSize = new() { Width = 360, Height = 740 }, DeviceScaleFactor = 2, IsMobile = true, HasTouch = true,
            Locale = "zh-CN", Permissions = ["camera", "microphone", "geolocation"], Geolocation = new() { Latitude = 39.9087f, Longitude = 116.3975f },
        });
        foreach (var context in new[] { officerContext, phoneContext })
        {
            context.SetDefaultTimeout(60_000);
            await context.AddInitScriptAsync(PageProbe.Script);
        }

        await officerContext.AddInitScriptAsync(ConsoleProbe);
        await phoneContext.AddInitScriptAsync(DriverProbe);

        var console = await officerContext.NewPageAsync();
        await console.GotoAsync("/console");
        await WaitBodyAsync(console, "screen", "signin");
        await console.GetByTestId("signin-username").FillAsync(username);
        await console.GetByTestId("signin-password").FillAsync(password);
        await console.GetByTestId("signin-submit").ClickAsync();
        await WaitBodyAsync(console, "hub", "connected");

        var driver = await phoneContext.NewPageAsync();
        await driver.GotoAsync("/");
        await WaitBodyAsync(driver, "screen", "start");
        await driver.GetByTestId("start-report").ClickAsync();
        await driver.GetByTestId("consent-agree").ClickAsync();
        await WaitBodyAsync(driver, "screen", "form");
        await driver.GetByTestId("phone").FillAsync("13812345678");
        await driver.GetByTestId("plate").FillAsync($"京A{10000 + n}");
        await driver.GetByTestId("vehicle-type").SelectOptionAsync("small-car");
        await driver.Locator("[data-testid=insurer] option[value=picc]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await driver.GetByTestId("insurer").SelectOptionAsync("picc");
        await driver.Locator("[data-testid=number-of-parties] label:has(input[value=\"1\"])").ClickAsync();
        await driver.Locator("[data-testid=triage-injured] label:has(input[value=false])").ClickAsync();
        await driver.Locator("[data-testid=triage-drivable] label:has(input[value=true])").ClickAsync();
        await driver.GetByTestId("locate").ClickAsync();
        await driver.Locator("[data-testid=location-status][data-located=true]").WaitForAsync();
        await driver.GetByTestId("address").FillAsync("长安街与西单北大街路口");
        await driver.GetByTestId("submit").ClickAsync();
        await WaitBodyAsync(driver, "screen", "waiting");
        var caseId = JsonDocument.Parse(await driver.EvaluateAsync<string>("() => sessionStorage.getItem('ar.driver')")).RootElement.GetProperty("caseId").GetString()!;

        var item = console.Locator($"[data-testid=queue-item][data-case-id=\"{caseId}\"]");
        await item.WaitForAsync();
        await item.GetByTestId("queue-accept").ClickAsync();
        await console.WaitForFunctionAsync("() => window.__bench.firstTileFrameAt !== null", null, new() { Timeout = 60_000, PollingInterval = 20 });
        await driver.WaitForFunctionAsync("() => window.__bench.firstFrameAt !== null && window.__bench.connectedAt !== null", null, new() { Timeout = 60_000, PollingInterval = 20 });

        var c = await console.EvaluateAsync<JsonElement>("id => ({ seen: window.__bench.seen[id], accept: window.__bench.acceptAt, frame: window.__bench.firstTileFrameAt })", caseId);
        var d = await driver.EvaluateAsync<JsonElement>("() => window.__bench");
        var accept = c.GetProperty("accept").GetInt64();
        return new CallTimes(
            c.GetProperty("seen").GetInt64() - d.GetProperty("submitAt").GetInt64(),
            c.GetProperty("frame").GetInt64() - accept,
            d.GetProperty("firstFrameAt").GetInt64() - accept,
            d.GetProperty("connectedAt").GetInt64() - accept);
    }

    private static async Task WaitBodyAsync(IPage page, string key, string value) =>
        await page.WaitForFunctionAsync("([k, v]) => document.body.dataset[k] === v", new object[] { key, value }, new() { Timeout = 60_000, PollingInterval = 20 });

    private static void Summary(Action<string> line, string what, IEnumerable<long> values)
    {
        var sorted = values.Order().ToArray();
        line($"| {what} | {Percentile(sorted, 50)} | {Percentile(sorted, 90)} | {sorted[^1]} |");
    }

    /// <summary>Nearest-rank percentile.</summary>
    private static long Percentile(long[] sorted, int p) => sorted[Math.Max(0, (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1)];

    private static long Gzip(byte[] data, CompressionLevel level)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, level, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return buffer.Length;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AccidentRemote.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (AccidentRemote.sln).");
    }
}
