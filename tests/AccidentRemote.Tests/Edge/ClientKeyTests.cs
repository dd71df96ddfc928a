using System.Net;
using AccidentRemote.Server.Auth;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Tests.Edge;

/// <summary>
/// The one client key every limit uses, after the app's forwarded-headers step: IPv4 by address, IPv6 by /64,
/// IPv4-mapped IPv6 as IPv4, forwarded headers believed only from Auth:TrustedProxies.
/// </summary>
public sealed class ClientKeyTests
{
    private static async Task<(string Key, string Scheme)> KeyOf(string peer, string? forwardedFor = null, string? forwardedProto = null, params string[] trusted)
    {
        var forwarded = new ForwardedHeadersOptions();
        AuthExtensions.ConfigureForwardedHeaders(forwarded, new AuthOptions { TrustedProxies = trusted });
        (string, string) seen = default;
        var middleware = new ForwardedHeadersMiddleware(
            http =>
            {
                seen = (AuthExtensions.ClientKey(http), http.Request.Scheme);
                return Task.CompletedTask;
            },
            NullLoggerFactory.Instance,
            Options.Create(forwarded));
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        if (forwardedFor is not null)
        {
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        }

        if (forwardedProto is not null)
        {
            context.Request.Headers["X-Forwarded-Proto"] = forwardedProto;
        }

        await middleware.Invoke(context);
        return seen;
    }

    [Fact]
    public async Task IPv6_clients_of_one_64_share_a_key_and_other_64s_do_not()
    {
        var a = (await KeyOf("2001:db8:1:2:aaaa:bbbb:cccc:1")).Key;
        var b = (await KeyOf("2001:db8:1:2::ffff")).Key;
        var other = (await KeyOf("2001:db8:1:3::1")).Key;
        Assert.Equal("2001:db8:1:2::/64", a);
        Assert.Equal(a, b);
        Assert.NotEqual(a, other);
    }

    [Fact]
    public async Task IPv4_clients_are_keyed_by_address_and_IPv4_mapped_IPv6_counts_as_IPv4()
    {
        Assert.Equal("203.0.113.7", (await KeyOf("203.0.113.7")).Key);
        Assert.Equal("203.0.113.7", (await KeyOf("::ffff:203.0.113.7")).Key);
        Assert.NotEqual((await KeyOf("203.0.113.7")).Key, (await KeyOf("203.0.113.8")).Key);
    }

    [Fact]
    public async Task Forwarded_headers_from_an_untrusted_peer_are_ignored()
    {
        // Nobody trusted (the default): not even loopback, which the framework would trust by itself.
        Assert.Equal(("127.0.0.1", "http"), await KeyOf("127.0.0.1", "198.51.100.1", "https"));
        Assert.Equal(("203.0.113.7", "http"), await KeyOf("203.0.113.7", "198.51.100.1", "https"));
        // A trusted network elsewhere does not make this peer trusted.
        Assert.Equal(("203.0.113.7", "http"), await KeyOf("203.0.113.7", "198.51.100.1", "https", "10.0.0.0/8"));
    }

    [Fact]
    public async Task Forwarded_headers_from_a_trusted_proxy_name_the_client_and_a_forged_left_part_is_ignored()
    {
        Assert.Equal(("198.51.100.1", "https"), await KeyOf("10.1.2.3", "198.51.100.1", "https", "10.0.0.0/8"));
        Assert.Equal(("198.51.100.1", "https"), await KeyOf("10.1.2.3", "198.51.100.1", "https", "10.1.2.3"));
        Assert.Equal("198.51.100.1", (await KeyOf("::ffff:10.1.2.3", "198.51.100.1", null, "10.1.2.3")).Key);
        // A chain of two trusted proxies: the client is the first untrusted address from the right; what the
        // client wrote itself to the left of it (a forged X-Forwarded-For) does not count.
        Assert.Equal("198.51.100.1", (await KeyOf("10.1.2.3", "6.6.6.6, 198.51.100.1, 10.9.9.9", null, "10.0.0.0/8")).Key);
        // A client on IPv6 behind the proxy is keyed by its /64.
        Assert.Equal("2001:db8:7:7::/64", (await KeyOf("10.1.2.3", "2001:db8:7:7::42", null, "10.0.0.0/8")).Key);
    }

    [Theory]
    [InlineData("proxy.internal")]
    [InlineData("10.0.0.1/24")]
    [InlineData("300.1.1.1")]
    public void A_trusted_proxy_that_is_not_an_address_or_network_fails_the_start(string entry)
    {
        using var app = TestApp.Embedded(extra: new() { ["Auth:TrustedProxies:0"] = "10.0.0.5", ["Auth:TrustedProxies:1"] = entry });
        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var all = ex is OptionsValidationException o ? string.Join(" ", o.Failures) : ex.ToString();
        Assert.Contains($"Auth:TrustedProxies:1 '{entry}' is not an IP address or a CIDR network", all, StringComparison.Ordinal);
    }
}
