using Microsoft.AspNetCore.Hosting.StaticWebAssets;
using Microsoft.AspNetCore.StaticAssets.Infrastructure;

namespace AccidentRemote.Server.Web;

/// <summary>
/// The pages (driver page <c>/</c>, officer console <c>/console</c>, insurer desk <c>/desk</c>) and their static files
/// from wwwroot. The bundles in wwwroot/dist are built from ClientApp/ by the project's build.
/// </summary>
public static class WebExtensions
{
    /// <summary>
    /// Scripts and styles only from this origin (no inline script), media from the camera
    /// (mediastream:) and blob: URLs (the join QR), images also as data: URLs.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; " +
        "media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
        "form-action 'self'; frame-ancestors 'none'";

    /// <summary>Page routes. A join link or QR code (/join/12345678#secret) opens the driver page, which reads the code from the path.</summary>
    private static readonly (string Path, string Page)[] Routes =
    [
        ("/", "index.html"),
        ("/index.html", "index.html"),
        ("/join/{code:regex(^[0-9]{{8}}$)}", "index.html"),
        // A case link (/case#<party token>) reopens a driver's case; the token stays in the fragment, which no request carries.
        ("/case", "index.html"),
        ("/console", "console.html"),
        ("/console.html", "console.html"),
        ("/desk", "desk.html"),
        ("/desk.html", "desk.html"),
    ];

    private const string ReloadStaticAssetsAtRuntime = "ReloadStaticAssetsAtRuntime";

    public static IHostApplicationBuilder AddWeb(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PageRenderer>();
        // A `dotnet build` output (tests, a local run) serves its precompressed files from obj/: read the build's
        // static web assets manifest in every environment (publish output has none, so this does nothing there).
        if (builder.Environment is IWebHostEnvironment web)
        {
            StaticWebAssetsLoader.UseStaticWebAssets(web, builder.Configuration);
        }

        // With a build manifest MapStaticAssets assumes hot reload and turns every Cache-Control into no-cache;
        // outside Development the build serves as a publish does (immutable fingerprinted files), as tests expect.
        if (!builder.Environment.IsDevelopment() && builder.Configuration[ReloadStaticAssetsAtRuntime] is null)
        {
            builder.Configuration.AddInMemoryCollection([new(ReloadStaticAssetsAtRuntime, "false")]);
        }

        return builder;
    }

    /// <summary>
    /// Defaults for every response; an endpoint that sets its own (the document verification page has
    /// its own CSP) keeps them. Registered first in the pipeline (UseHosting), so that answers made
    /// before any endpoint runs (401, 403, 429) carry them too.
    /// </summary>
    public static WebApplication UseDefaultHeaders(this WebApplication app)
    {
        app.Use((http, next) =>
        {
            http.Response.OnStarting(() =>
            {
                var h = http.Response.Headers;
                h.TryAdd("Content-Security-Policy", ContentSecurityPolicy);
                h.TryAdd("X-Content-Type-Options", "nosniff");
                h.TryAdd("X-Frame-Options", "DENY");
                h.TryAdd("Referrer-Policy", "no-referrer");
                h.TryAdd("Permissions-Policy", "camera=(self), microphone=(self), geolocation=(self), payment=()");
                // API answers and anything answered to a signed-in caller may carry personal data (names, ID
                // numbers, phones, places): no browser, proxy or CDN keeps a copy. An endpoint that chose
                // its own caching keeps it; static files set theirs in OnPrepareResponse.
                if (MayCarryPersonalData(http))
                {
                    h.TryAdd("Cache-Control", "no-store");
                }

                return Task.CompletedTask;
            });
            return next(http);
        });
        return app;
    }

    private static bool MayCarryPersonalData(HttpContext http) =>
        http.Request.Path.StartsWithSegments("/api") || http.Request.Path.StartsWithSegments("/hubs")
        || http.User.Identity?.IsAuthenticated == true || http.Request.Headers.Authorization.Count > 0;

    public static IEndpointRouteBuilder MapWeb(this IEndpointRouteBuilder app)
    {
        // wwwroot's files from the build's manifest: precompressed (Brotli, gzip), content-hash ETags, and
        // for each file a fingerprinted route (dist/driver.<hash>.js) that is immutable for a year.
        app.MapStaticAssets();
        app.ServiceProvider.GetRequiredService<PageRenderer>().UseAssets(StaticAssetsEndpointDataSourceHelper.ResolveStaticAssetDescriptors(app, null));

        var pages = app.MapGroup("").WithTags("Pages").ExcludeFromDescription().AllowAnonymous();
        string[] getOrHead = [HttpMethods.Get, HttpMethods.Head];
        foreach (var (path, page) in Routes)
        {
            pages.MapMethods(path, getOrHead, (PageRenderer renderer, HttpContext http) => renderer.Serve(http, page));
        }

        return app;
    }
}
