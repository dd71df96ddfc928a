using Microsoft.Playwright;

namespace AccidentRemote.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright, with a fake camera and microphone. One browser per
/// test class; each actor (driver, officer) gets its own context, as separate phones would.
/// In the test namespace there is only loopback, so WebRTC must be allowed to use it.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public static readonly string[] Args =
    [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--autoplay-policy=no-user-gesture-required", "--allow-loopback-in-peer-connection",
    ];

    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public ValueTask InitializeAsync() => StartAsync([]);

    /// <summary>A browser of its own with further command-line switches (e.g. <c>--ignore-certificate-errors-spki-list=…</c>); dispose it.</summary>
    public static async Task<Chromium> LaunchAsync(params string[] extraArgs)
    {
        var chromium = new Chromium();
        try
        {
            await chromium.StartAsync(extraArgs);
        }
        catch
        {
            await chromium.DisposeAsync();
            throw;
        }

        return chromium;
    }

    private async ValueTask StartAsync(string[] extraArgs)
    {
        var executable = Environment.GetEnvironmentVariable("ACCIDENTREMOTE_TEST_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Chromium is not at {executable}. Run the suite with `infra/test.sh`, which installs it.");
        }

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = executable, Headless = true, Args = [.. Args, .. extraArgs] });
    }

    /// <summary>A phone: 360x740, touch, camera/microphone/location allowed, at a place in Beijing.</summary>
    public Task<IBrowserContext> PhoneAsync(Uri baseUrl, string locale = "zh-CN") => Browser.NewContextAsync(new()
    {
        BaseURL = baseUrl.ToString(),
        ViewportSize = new() { Width = 360, Height = 740 },
        DeviceScaleFactor = 2,
        IsMobile = true,
        HasTouch = true,
        Locale = locale,
        Permissions = ["camera", "microphone", "geolocation"],
        Geolocation = new() { Latitude = 39.9087f, Longitude = 116.3975f },
    });

    /// <summary>An officer's desktop: 1440x900.</summary>
    public Task<IBrowserContext> DesktopAsync(Uri baseUrl) => Browser.NewContextAsync(new()
    {
        BaseURL = baseUrl.ToString(),
        ViewportSize = new() { Width = 1440, Height = 900 },
        Locale = "zh-CN",
        Permissions = ["camera", "microphone"],
    });

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
    }
}
