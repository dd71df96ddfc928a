using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.AspNetCore.StaticFiles;

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

    private const string Immutable = "public, max-age=31536000, immutable";

    public static IHostApplicationBuilder AddWeb(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PageRenderer>();
        // Only the public, secret-free page files are compressed (see UseWeb), so compressing over
        // HTTPS carries no BREACH risk; the driver bundle shrinks to about a third on a weak link.
        builder.Services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true;
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
        });
        // Optimal, not the default Fastest: a 90 KB bundle goes to ~27 KB instead of ~38 KB, and
        // versioned bundles are fetched once per phone (immutable), so the CPU is spent rarely.
        builder.Services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Optimal);
        builder.Services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Optimal);
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

    public static WebApplication UseWeb(this WebApplication app)
    {
        app.UseWhen(http => IsPageFile(http.Request.Path), page => page.UseResponseCompression());

        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".map"] = "application/json";
        app.UseStaticFiles(new StaticFileOptions
        {
            ContentTypeProvider = types,
            OnPrepareResponse = ctx =>
            {
                var path = ctx.Context.Request.Path;
                var versioned = ctx.Context.Request.Query.ContainsKey(PageRenderer.VersionParameter);
                // Pages link bundles and styles as /dist/x.js?v=<content hash>: those never change, so a
                // phone on a weak network loads them once. Unversioned URLs revalidate (ETag, 304).
                ctx.Context.Response.Headers.CacheControl =
                    versioned && (path.StartsWithSegments("/dist") || path.StartsWithSegments("/css")) ? Immutable : "no-cache";
            },
        });
        return app;
    }

    private static bool MayCarryPersonalData(HttpContext http) =>
        http.Request.Path.StartsWithSegments("/api") || http.Request.Path.StartsWithSegments("/hubs")
        || http.User.Identity?.IsAuthenticated == true || http.Request.Headers.Authorization.Count > 0;

    private static bool IsPageFile(PathString path) =>
        path.StartsWithSegments("/dist") || path.StartsWithSegments("/css") || Routes.Any(r => r.Path == path.Value)
        || path.StartsWithSegments("/join");

    public static IEndpointRouteBuilder MapWeb(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("").WithTags("Pages").ExcludeFromDescription().AllowAnonymous();
        string[] getOrHead = [HttpMethods.Get, HttpMethods.Head];
        foreach (var (path, page) in Routes)
        {
            pages.MapMethods(path, getOrHead, (PageRenderer renderer, HttpContext http) => renderer.Serve(http, page));
        }

        return app;
    }
}
