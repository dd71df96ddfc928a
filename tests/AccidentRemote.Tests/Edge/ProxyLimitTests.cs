using System.Net;
using System.Net.Http.Json;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Edge;

/// <summary>
/// Behind a real reverse proxy (Debian's nginx on loopback, as docs/deployment.md prescribes), each client
/// keeps its own budget; a forged X-Forwarded-For sent straight to the server from an untrusted address buys nothing.
/// </summary>
public sealed class ProxyLimitTests
{
    private const int Budget = 3;

    private static async Task<HttpStatusCode> SignInAsync(HttpClient client, string? forwardedFor = null)
    {
        // A new unknown username each time: this is about the per-address limit, not the per-username one.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/officers/sign-in")
        {
            Content = JsonContent.Create(new { username = $"nobody-{Guid.NewGuid():N}", password = "wrong" }),
        };
        if (forwardedFor is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Two_clients_behind_nginx_have_separate_sign_in_budgets_and_a_forged_forwarded_header_from_an_untrusted_address_is_ignored()
    {
        using var app = TestApp.Embedded(extra: new()
        {
            ["Auth:SignInAttemptsPerMinute"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // nginx connects to the server from 127.0.0.1; clients come from 127.0.0.2 and up.
            ["Auth:TrustedProxies:0"] = "127.0.0.1",
        });
        var server = app.StartKestrel();
        await using var nginx = await Nginx.StartAsync(server);
        using var first = Nginx.ClientFrom(IPAddress.Parse("127.0.0.2"), nginx.Address);
        using var second = Nginx.ClientFrom(IPAddress.Parse("127.0.0.3"), nginx.Address);

        for (var i = 0; i < Budget; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(first));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(first));
        // The second phone behind the same proxy still has its whole budget.
        for (var i = 0; i < Budget; i++)
        {
            Assert.True(await SignInAsync(second) == HttpStatusCode.Unauthorized, $"attempt {i + 1} of the second client was limited.\n{nginx.Logs()}");
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(second));

        // Straight to the server from an address that is not a trusted proxy: a new forged client address on
        // every request, yet one budget, the direct address's.
        using var direct = Nginx.ClientFrom(IPAddress.Parse("127.0.0.4"), server);
        for (var i = 0; i < Budget; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(direct, $"198.51.100.{i + 1}"));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(direct, "198.51.100.99"));
        // And through nginx a client cannot claim to be someone else: nginx appends the real address, which is what counts.
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(first, "127.0.0.9"));
    }
}
