using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace AccidentRemote.Server.Web;

/// <summary>
/// Serves a page from wwwroot with each local script and stylesheet link pointed at its fingerprinted
/// route from the static assets manifest (<c>/dist/driver.js</c> becomes <c>/dist/driver.&lt;hash&gt;.js</c>,
/// immutable), so those files are cached for a year and still change on deploy. The page itself is
/// <c>no-cache</c> with an ETag: a repeat visit costs a 304. It is compressed once (Brotli at its
/// smallest, gzip) and kept in memory; a file that changes on disk (a rebuild while the server runs)
/// renders it again.
/// </summary>
internal sealed partial class PageRenderer(IWebHostEnvironment env)
{
    private readonly ConcurrentDictionary<string, Rendered> pages = new();
    private Dictionary<string, string> fingerprinted = [];

    /// <summary>The fingerprinted route of each asset (<c>dist/driver.js</c> → <c>dist/driver.abc123.js</c>), from MapStaticAssets.</summary>
    public void UseAssets(IReadOnlyList<StaticAssetDescriptor> assets)
    {
        var routes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var a in assets)
        {
            var label = a.Properties.FirstOrDefault(p => p.Name == "label")?.Value;
            if (label is not null && a.Selectors.Count == 0 && a.Properties.Any(p => p.Name == "fingerprint"))
            {
                routes[label] = a.Route;
            }
        }

        fingerprinted = routes;
        pages.Clear();
    }

    public IResult Serve(HttpContext http, string page)
    {
        var rendered = Render(page);
        if (rendered is null)
        {
            return Problems.Of(503, "Pages.NotBuilt");
        }

        return new PageResult(rendered);
    }

    private Rendered? Render(string page)
    {
        var files = env.WebRootFileProvider;
        var file = files.GetFileInfo(page);
        if (!file.Exists)
        {
            return null;
        }

        var source = ReadAll(file);
        var stamp = AssetLink().Matches(source).Select(m => files.GetFileInfo(m.Groups["path"].Value)).Where(f => f.Exists)
            .Select(f => f.LastModified).Append(file.LastModified).Max();
        if (pages.TryGetValue(page, out var cached) && cached.Stamp == stamp)
        {
            return cached;
        }

        var html = AssetLink().Replace(source, m =>
        {
            var path = m.Groups["path"].Value;
            return fingerprinted.TryGetValue(path[1..], out var route) ? $"{m.Groups["attr"].Value}=\"/{route}\"" : m.Value;
        });
        var rendered = new Rendered(stamp, html);
        pages[page] = rendered;
        return rendered;
    }

    private static string ReadAll(IFileInfo file)
    {
        using var reader = new StreamReader(file.CreateReadStream());
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"(?<attr>src|href)=""(?<path>/(?:dist|css|icons)/[^""?#]+)""")]
    private static partial Regex AssetLink();

    /// <summary>One page's bytes, as sent: plain, Brotli and gzip, and a weak ETag (the same for all three: they are the same page).</summary>
    private sealed class Rendered
    {
        public Rendered(DateTimeOffset stamp, string html)
        {
            Stamp = stamp;
            Plain = Encoding.UTF8.GetBytes(html);
            ETag = $"W/\"{Convert.ToBase64String(SHA256.HashData(Plain))}\"";
            Brotli = Compress(Plain, s => new BrotliStream(s, CompressionLevel.SmallestSize));
            Gzip = Compress(Plain, s => new GZipStream(s, CompressionLevel.SmallestSize));
        }

        public DateTimeOffset Stamp { get; }

        public byte[] Plain { get; }

        public byte[] Brotli { get; }

        public byte[] Gzip { get; }

        public string ETag { get; }

        private static byte[] Compress(byte[] bytes, Func<Stream, Stream> compressor)
        {
            using var output = new MemoryStream();
            using (var z = compressor(output))
            {
                z.Write(bytes);
            }

            return output.ToArray();
        }
    }

    private sealed class PageResult(Rendered page) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            var response = http.Response;
            response.Headers.CacheControl = "no-cache";
            response.Headers.ETag = page.ETag;
            response.Headers.Vary = HeaderNames.AcceptEncoding;
            response.ContentType = "text/html; charset=utf-8";
            if (http.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => SameTag(t.Trim(), page.ETag))))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            }

            var (bytes, encoding) = Choose(http.Request);
            if (encoding is not null)
            {
                response.Headers.ContentEncoding = encoding;
            }

            response.ContentLength = bytes.Length;
            return HttpMethods.IsHead(http.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(bytes, http.RequestAborted).AsTask();
        }

        // If-None-Match compares weakly (RFC 9110 13.1.2): W/"x" matches "x" and W/"x".
        private static bool SameTag(string sent, string etag) => sent == "*" || Strip(sent) == Strip(etag);

        private static string Strip(string tag) => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;

        private (byte[] Bytes, string? Encoding) Choose(HttpRequest request)
        {
            var accepted = request.GetTypedHeaders().AcceptEncoding;
            bool Accepts(string coding) => accepted.Any(a => string.Equals(a.Value.Value, coding, StringComparison.OrdinalIgnoreCase) && a.Quality is not 0);
            return Accepts("br") ? (page.Brotli, "br") : Accepts("gzip") ? (page.Gzip, "gzip") : (page.Plain, null);
        }
    }
}
