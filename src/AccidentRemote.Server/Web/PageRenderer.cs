using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.FileProviders;

namespace AccidentRemote.Server.Web;

/// <summary>
/// Serves a page from wwwroot with each local script and stylesheet link given <c>?v=</c> and a
/// hash of the file's bytes, so those files can be cached for a year and still change on deploy.
/// Pages are re-read when a file changes (a rebuild while the server runs).
/// </summary>
internal sealed partial class PageRenderer(IWebHostEnvironment env)
{
    public const string VersionParameter = "v";

    private readonly ConcurrentDictionary<string, (DateTimeOffset Stamp, string Html)> pages = new();

    public IResult Serve(HttpContext http, string page)
    {
        var html = Render(page);
        if (html is null)
        {
            return Problems.Of(503, "Pages.NotBuilt");
        }

        http.Response.Headers.CacheControl = "no-cache";
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    private string? Render(string page)
    {
        var files = env.WebRootFileProvider;
        var file = files.GetFileInfo(page);
        if (!file.Exists)
        {
            return null;
        }

        var links = AssetLink().Matches(ReadAll(file)).Select(m => files.GetFileInfo(m.Groups["path"].Value)).Where(f => f.Exists);
        var stamp = links.Select(f => f.LastModified).Append(file.LastModified).Max();
        if (pages.TryGetValue(page, out var cached) && cached.Stamp == stamp)
        {
            return cached.Html;
        }

        var html = AssetLink().Replace(ReadAll(file), m =>
        {
            var asset = files.GetFileInfo(m.Groups["path"].Value);
            return asset.Exists ? $"{m.Groups["attr"].Value}=\"{m.Groups["path"].Value}?{VersionParameter}={Hash(asset)}\"" : m.Value;
        });
        pages[page] = (stamp, html);
        return html;
    }

    private static string ReadAll(IFileInfo file)
    {
        using var reader = new StreamReader(file.CreateReadStream());
        return reader.ReadToEnd();
    }

    private static string Hash(IFileInfo file)
    {
        using var stream = file.CreateReadStream();
        return Convert.ToHexStringLower(SHA256.HashData(stream))[..12];
    }

    [GeneratedRegex(@"(?<attr>src|href)=""(?<path>/(?:dist|css)/[^""?#]+)""")]
    private static partial Regex AssetLink();
}
