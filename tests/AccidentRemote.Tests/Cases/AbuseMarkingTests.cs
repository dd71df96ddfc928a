using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using AccidentRemote.Server.Data;
using AccidentRemote.Tests.Infrastructure;
using AccidentRemote.Tests.Insurers;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Cases;

/// <summary>
/// An officer marks a waiting report as abuse: the case is abandoned (reason abuse) through the
/// state machine and its reporting client may not report or join until the block expires.
/// Clients are real TCP connections from distinct loopback addresses to a real Kestrel port.
/// </summary>
public sealed class AbuseMarkingTests
{
    [Theory]
    [BothDatabases]
    public async Task Marking_a_report_as_abuse_closes_it_and_blocks_only_its_client_until_the_block_expires(DatabaseProvider provider)
    {
        var clock = new FixedClock(DateTimeOffset.UtcNow);
        await using var host = await InsurerHost.StartAsync(provider, new() { ["Cases:AbuseBlockDuration"] = "02:00:00" },
            s => s.AddSingleton<TimeProvider>(clock));
        var baseUrl = host.App.StartKestrel();
        using var abuser = From(baseUrl, "127.0.0.2");
        using var other = From(baseUrl, "127.0.0.3");
        using var officer = await host.App.OfficerClientAsync();

        var hoax = await abuser.PostJsonAsync("/api/cases", Report(clock, "京A12345"), 201);
        var caseId = hoax.GetProperty("caseId").GetString();
        var marked = await officer.PostJsonAsync($"/api/cases/{caseId}/abuse", null);
        Assert.Equal("abandoned", marked.GetProperty("case").GetProperty("status").GetString());
        Assert.Equal(1, marked.GetProperty("clientsBlocked").GetInt32());
        await officer.PostJsonAsync($"/api/cases/{caseId}/abuse", null, 409); // already closed: the state machine says so
        Assert.DoesNotContain((await officer.GetJsonAsync("/api/queue")).EnumerateArray(), q => q.GetProperty("caseId").GetString() == caseId);

        var db = host.App.Services.GetRequiredService<Db>();
        await using (var c = await db.OpenAsync(CancellationToken.None))
        {
            Assert.Equal("abuse", await c.QuerySingleAsync<string>("SELECT detail FROM case_events WHERE case_id = @caseId AND kind = 'abandoned'", new { caseId }));
            var stored = await c.QuerySingleAsync<string>("SELECT client_hash FROM abuse_blocks");
            Assert.DoesNotContain("127.0.0", stored, StringComparison.Ordinal); // the address is not kept, only its keyed hash
        }

        // The same client is refused, in the driver's language, for reports and joins alike.
        var refused = await Send(abuser, "/api/cases", Report(clock, "京A12346"), "zh-CN");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.JsonAsync(403);
        Assert.Equal("reporting_blocked", problem.GetProperty("code").GetString());
        Assert.Equal("此设备暂时不能报案", problem.GetProperty("title").GetString());
        Assert.Contains("122", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var english = await (await Send(abuser, "/api/cases", Report(clock, "京A12346"), "en")).JsonAsync(403);
        Assert.Equal("This device cannot report for now", english.GetProperty("title").GetString());

        // Another client reports and is accepted; the blocked one cannot join its case either.
        var real = await other.PostJsonAsync("/api/cases", Report(clock, "沪AD12345", parties: 2), 201);
        var join = Api.Join(real.GetProperty("joinCode").GetString()!, "粤B99999");
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(abuser, "/api/cases/join", join, "en")).StatusCode);

        // After the block's duration, the client may report again.
        clock.Now += TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1);
        await abuser.PostJsonAsync("/api/cases", Report(clock, "京A12347"), 201);
    }

    private static Dictionary<string, object?> Report(FixedClock clock, string plate, int parties = 1)
    {
        var body = Api.Report(plate, parties: parties);
        body["accidentTime"] = clock.Now.AddMinutes(-3);
        return body;
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, string url, object body, string language)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.AcceptLanguage.ParseAdd(language);
        return client.SendAsync(request);
    }

    /// <summary>An HTTP client whose connections come from the given loopback address (the whole of 127/8 is loopback on Linux).</summary>
    private static HttpClient From(Uri baseUrl, string source)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = baseUrl };
    }
}
