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
        Assert.Contains($"src=\"{bundle}?v=", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bundles_built_by_the_build_are_linked_by_content_hash_and_cached_for_a_year()
    {
        using var client = app.CreateClient();
        var html = await client.GetStringAsync(new Uri("/", UriKind.Relative));
        var link = BundleLink().Match(html);
        Assert.True(link.Success, "the driver page links /dist/driver.js?v=<hash>");

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
        Assert.Contains("href=\"/css/console.css?v=", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/css/desk.css?v=", html, StringComparison.Ordinal);
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

    [GeneratedRegex(@"src=""(/dist/driver\.js\?v=[0-9a-f]{12})""")]
    private static partial Regex BundleLink();
}
