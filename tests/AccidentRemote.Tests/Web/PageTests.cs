using System.Net;
using System.Text.RegularExpressions;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Web;

/// <summary>The pages are served from the build's bundles, with a CSP that forbids inline script.</summary>
public sealed partial class PageTests : IDisposable
{
    private readonly TestApp app = TestApp.Embedded();

    public void Dispose() => app.Dispose();

    [Theory]
    [InlineData("/", "/dist/driver.js")]
    [InlineData("/join/12345678", "/dist/driver.js")]
    [InlineData("/console", "/dist/console.js")]
    [InlineData("/desk", "/dist/desk.js")]
    public async Task Pages_are_html_with_a_content_security_policy_that_allows_no_inline_script(string path, string bundle)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("media-src 'self' blob: mediastream:", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        var fingerprinted = bundle.Replace(".js", ".", StringComparison.Ordinal);
        Assert.Matches($"src=\"{Regex.Escape(fingerprinted)}[a-z0-9]+\\.js\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Bundles_built_by_the_build_are_linked_by_content_hash_and_cached_for_a_year()
    {
        using var client = app.CreateClient();
        var html = await client.GetStringAsync(new Uri("/", UriKind.Relative));
        var link = BundleLink().Match(html);
        Assert.True(link.Success, "the driver page links /dist/driver.<fingerprint>.js");

        using var bundle = await client.GetAsync(new Uri(link.Groups[1].Value, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        Assert.Contains("immutable", bundle.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.True((await bundle.Content.ReadAsByteArrayAsync()).Length > 1000, "the bundle has content");

        using var unversioned = await client.GetAsync(new Uri("/dist/driver.js", UriKind.Relative));
        Assert.Equal("no-cache", unversioned.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task The_insurer_desk_links_its_own_bundle_and_styles_which_carry_none_of_the_drivers_strings()
    {
        using var client = app.CreateClient();
        var html = await client.GetStringAsync(new Uri("/desk", UriKind.Relative));
        Assert.Matches("href=\"/css/console\\.[a-z0-9]+\\.css\"", html);
        Assert.Matches("href=\"/css/desk\\.[a-z0-9]+\\.css\"", html);
        Assert.Contains("data-testid=\"ack-form\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("style=", html, StringComparison.Ordinal);

        var bundle = await client.GetStringAsync(new Uri("/dist/desk.js", UriKind.Relative));
        Assert.Contains("Insurer desk", bundle, StringComparison.Ordinal);
        Assert.DoesNotContain("Insurer preselected from the plate", bundle, StringComparison.Ordinal);
        Assert.DoesNotContain("Supervisor board", bundle, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/join/123456")]
    [InlineData("/join/abcdefgh")]
    public async Task A_join_link_without_eight_digits_is_not_the_driver_page(string path)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Bundles_are_compressed_for_weak_networks_but_api_answers_are_not()
    {
        using var client = app.CreateClient();
        var html = await client.GetStringAsync(new Uri("/", UriKind.Relative));
        var link = BundleLink().Match(html).Groups[1].Value;

        using var bundleRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(link, UriKind.Relative));
        bundleRequest.Headers.AcceptEncoding.ParseAdd("gzip");
        using var bundle = await client.SendAsync(bundleRequest);
        Assert.Equal("gzip", Assert.Single(bundle.Content.Headers.ContentEncoding));

        using var apiRequest = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/insurers", UriKind.Relative));
        apiRequest.Headers.AcceptEncoding.ParseAdd("gzip");
        using var api = await client.SendAsync(apiRequest);
        Assert.Empty(api.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task An_endpoint_that_sets_its_own_security_policy_keeps_it()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync(new Uri("/verify/NO-SUCH-CODE", UriKind.Relative));

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.StartsWith("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task A_repeat_visit_revalidates_the_page_and_gets_a_304()
    {
        using var client = app.CreateClient();
        using var first = await client.GetAsync(new Uri("/", UriKind.Relative));
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.Equal("no-cache", first.Headers.CacheControl?.ToString());

        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri("/", UriKind.Relative));
        again.Headers.IfNoneMatch.Add(etag);
        using var second = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
        Assert.Contains("default-src 'self'", Assert.Single(second.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);

        using var otherPage = new HttpRequestMessage(HttpMethod.Get, new Uri("/console", UriKind.Relative));
        otherPage.Headers.IfNoneMatch.Add(etag);
        using var third = await client.SendAsync(otherPage);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task The_driver_bundle_is_smaller_in_brotli_than_in_gzip()
    {
        using var client = app.CreateClient();
        var html = await client.GetStringAsync(new Uri("/", UriKind.Relative));
        var link = BundleLink().Match(html).Groups[1].Value;

        async Task<(string Encoding, int Size)> FetchAsync(string encoding)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(link, UriKind.Relative));
            request.Headers.AcceptEncoding.ParseAdd(encoding);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("immutable", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
            return (Assert.Single(response.Content.Headers.ContentEncoding), (await response.Content.ReadAsByteArrayAsync()).Length);
        }

        var br = await FetchAsync("br");
        var gzip = await FetchAsync("gzip");
        Assert.Equal("br", br.Encoding);
        Assert.Equal("gzip", gzip.Encoding);
        Assert.True(br.Size < gzip.Size, $"Brotli {br.Size} bytes, gzip {gzip.Size} bytes");

        using var pageRequest = new HttpRequestMessage(HttpMethod.Get, new Uri("/", UriKind.Relative));
        pageRequest.Headers.AcceptEncoding.ParseAdd("br");
        using var page = await client.SendAsync(pageRequest);
        Assert.Equal("br", Assert.Single(page.Content.Headers.ContentEncoding));
    }

    [GeneratedRegex(@"src=""(/dist/driver\.[a-z0-9]+\.js)""")]
    private static partial Regex BundleLink();
}
