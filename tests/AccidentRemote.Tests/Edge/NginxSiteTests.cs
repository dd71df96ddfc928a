using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using AccidentRemote.Server.Evidence;
using AccidentRemote.Tests.Browser;
using AccidentRemote.Tests.Documents;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Playwright;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Edge;

/// <summary>
/// "Behind nginx" (issue 12): the shipped site file infra/nginx/accidentremote.conf in front of two node
/// processes, over https with a test CA. A whole call in Chromium through it, the hub on WebSockets,
/// the public https address in the join QR and the document, and a rolling restart of the nodes in the
/// middle of the call; and, without a browser, what the site promises at the edge (redirect, HTTP/2, HSTS,
/// per-client limits, /metrics hidden, the evidence upload size).
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class NginxSiteTests(NginxSite site) : IClassFixture<NginxSite>
{
    [Fact]
    public async Task A_call_through_the_nginx_site_runs_on_WebSockets_with_public_https_links_and_goes_on_while_the_nodes_are_restarted()
    {
        // Chromium trusts the test server key and nothing else (no --ignore-certificate-errors).
        await using var chromium = await Chromium.LaunchAsync($"--ignore-certificate-errors-spki-list={site.Ca.ServerSpkiSha256}");
        await using var consoleContext = await chromium.DesktopAsync(site.PublicAddress);
        await using var phone1 = await chromium.PhoneAsync(site.PublicAddress);
        await using var phone2 = await chromium.PhoneAsync(site.PublicAddress);

        var (username, password) = await site.OfficerAsync();
        var console = await OpenPageAsync(consoleContext, "/console");
        await CallScenario.SignInAsync(console, username, password);
        var driver1 = await OpenPageAsync(phone1, "/");
        var first = await ReportAsync(driver1, "京A35791", parties: 2);

        // The join QR, read off the phone's screen as the other driver's camera would: the public https address.
        await driver1.Locator("[data-testid=join-qr][src]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        // Drawing a just-loaded SVG to a canvas can come out blank at first in Chromium: read until it decodes.
        var joinLink = (await Eventually.Until(() => JoinQrAsync(driver1), link => link is not null, "the join QR on the driver page to be readable", WaitLimit))!;
        Assert.StartsWith($"{site.PublicAddress.ToString().TrimEnd('/')}/join/{first.JoinCode}#", joinLink, StringComparison.Ordinal);
        var driver2 = await OpenPageAsync(phone2, joinLink);
        var second = await JoinAsync(driver2, "沪AD24680");
        Assert.Equal(first.CaseId, second.CaseId);

        await AcceptAsync(console, first.CaseId);
        await console.GetByTestId("tile-2").WaitForAsync();
        IPage[] pages = [console, driver1, driver2];
        foreach (var driver in new[] { driver1, driver2 })
        {
            await WaitForBodyAsync(driver, "callState", "connected");
        }

        await WaitForTileAsync(console, 1, "connected");
        await FramesGrowAsync(() => TileFramesAsync(console, 1), 0, "the console receiving driver 1's video through the proxied signalling");
        await FramesGrowAsync(() => DriverFramesAsync(driver1), 0, "driver 1 receiving the officer's video");

        // The hub runs on WebSockets through nginx (not a fallback: SignalR would quietly use server-sent events).
        var socketsBefore = new int[pages.Length];
        for (var i = 0; i < pages.Length; i++)
        {
            var (count, openUrl) = await HubSocketsAsync(pages[i]);
            Assert.True(openUrl.StartsWith($"wss://127.0.0.1:{site.HttpsPort}/hubs/call", StringComparison.Ordinal),
                $"{pages[i].Url}: no open WebSocket to the hub through nginx ({count} opened).\n{site.Nginx.Logs()}");
            socketsBefore[i] = count;
        }

        // Node 1 restarted as an operator does it (SIGTERM: it closes its hub connections and sends the pages'
        // reconnects on to node 2 with a 503, so it stops well inside its shutdown timeout), then node 2 down by a
        // crash (SIGKILL: no goodbye to the pages, nginx just loses the connections). Media is peer to peer, so
        // video keeps coming while the hub connections move between nodes.
        var tileFrames = await TileFramesAsync(console, 1);
        await using var restoreNodes = site.RestartStoppedNodesOnDispose();
        await site.Node1.StopAsync();
        await FramesGrowAsync(() => TileFramesAsync(console, 1), tileFrames, "the console's video while node 1 is down");
        await site.Node1.StartAgainAsync();
        await site.WaitUntilRoutedToAsync(site.Node1);
        await site.Node2.KillAsync();

        // Node 2 is down now, so every hub connection is on node 1, each on a new WebSocket through nginx.
        for (var i = 0; i < pages.Length; i++)
        {
            var page = pages[i];
            var before = socketsBefore[i];
            await Eventually.Until(() => HubSocketsAsync(page), s => s.Count > before && s.OpenUrl.Length > 0,
                $"{page.Url} to reconnect its hub on a new WebSocket", WaitLimit);
            await WaitForBodyAsync(page, "hub", "connected");
        }

        tileFrames = await TileFramesAsync(console, 1);
        var driverFrames = await DriverFramesAsync(driver1);
        await FramesGrowAsync(() => TileFramesAsync(console, 1), tileFrames, "the console's video after the restart");
        await FramesGrowAsync(() => DriverFramesAsync(driver1), driverFrames, "driver 1's video after the restart");

        // Signalling goes on: the officer's instruction reaches both phones over their reconnected hubs.
        await console.GetByTestId("instruct-move").ClickAsync();
        foreach (var driver in new[] { driver1, driver2 })
        {
            await driver.Locator("[data-testid=instruction][data-kind=move-cars]").WaitForAsync();
        }

        await site.Node2.StartAgainAsync();

        // On to the document; its verification link (the QR on the PDF) carries the public https address.
        await console.GetByTestId("vehicles-moved").ClickAsync();
        await CaseStatusAsync(console, "vehicles_moved");
        await console.GetByTestId("liability-scenario").SelectOptionAsync("rear-end");
        await console.GetByTestId("liability-facts").FillAsync("甲车追尾乙车");
        await console.GetByTestId("tile-1-liability").SelectOptionAsync("full");
        await console.GetByTestId("tile-2-liability").SelectOptionAsync("none");
        await console.GetByTestId("save-liability").ClickAsync();
        await CaseStatusAsync(console, "liability_determined");
        // The officer asks the drivers for their names and ID numbers: their details cards open.
        await console.GetByTestId("instruct-details").ClickAsync();
        string[] names = ["张伟", "李娜"];
        IPage[] drivers = [driver1, driver2];
        for (var i = 0; i < drivers.Length; i++)
        {
            var card = drivers[i].GetByTestId("details-card");
            await card.WaitForAsync();
            await drivers[i].GetByTestId("details-name").FillAsync(names[i]);
            await drivers[i].GetByTestId("details-id").FillAsync(Api.IdNumbers[i]);
            await drivers[i].GetByTestId("details-save").ClickAsync();
            await card.WaitForAsync(new() { State = WaitForSelectorState.Hidden });
        }

        await console.GetByTestId("document-weather").SelectOptionAsync("晴");
        await console.GetByTestId("issue-document").ClickAsync();
        await CaseStatusAsync(console, "awaiting_signatures");
        await driver1.GetByTestId("sign-pad").WaitForAsync();
        var verificationUrl = await driver1.EvaluateAsync<string>("""
            async () => {
              const s = JSON.parse(localStorage.getItem('ar.driver'));
              const r = await fetch(`/api/cases/${s.caseId}/document`, { headers: { Authorization: `Bearer ${s.token}` } });
              if (!r.ok) throw new Error(`HTTP ${r.status}`);
              return (await r.json()).verifyUrl;
            }
            """);
        Assert.StartsWith($"{site.PublicAddress.ToString().TrimEnd('/')}/verify/", verificationUrl, StringComparison.Ordinal);

        // nginx logged the hub's WebSocket upgrades (101) for the connections that ended in the restart, and no token:
        // the hub's ?access_token=… stays out of the log.
        var log = site.AccessLog;
        Assert.Contains("\"GET /hubs/call HTTP/1.1\" 101 ", log, StringComparison.Ordinal);
        Assert.DoesNotContain("access_token", log, StringComparison.Ordinal);
        Assert.DoesNotContain(first.Token, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_nginx_site_redirects_to_https_speaks_HTTP2_with_HSTS_keeps_clients_budgets_apart_hides_metrics_and_passes_the_largest_evidence_upload()
    {
        // Plain HTTP: only a redirect to the same host and path over https.
        using (var plain = Nginx.ClientFrom(IPAddress.Parse("127.0.0.2"), site.PlainAddress))
        using (var redirect = await plain.GetAsync("/console?x=1"))
        {
            Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
            Assert.Equal("https://127.0.0.1/console?x=1", redirect.Headers.Location?.ToString());
        }

        // HTTPS over HTTP/2 with HSTS, and a routing cookie for the browser's later requests.
        using var anonymous = site.Client("127.0.0.2");
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact })
        using (var page = await anonymous.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal(HttpVersion.Version20, page.Version);
            Assert.StartsWith("max-age=", Assert.Single(page.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
            Assert.Contains(page.Headers.GetValues("Set-Cookie"), c => c.StartsWith("ar_route=", StringComparison.Ordinal) && c.Contains("Secure", StringComparison.Ordinal));
        }

        // Two clients behind nginx, from 127.0.0.2 and 127.0.0.3, routed to the same node (same routing cookie):
        // each has its own sign-in budget, because the nodes believe nginx's X-Forwarded-For (Auth:TrustedProxies).
        var sameNode = NginxSite.RouteCookie();
        using var first = site.Client("127.0.0.2");
        using var second = site.Client("127.0.0.3");
        foreach (var (client, from) in new[] { (first, "127.0.0.2"), (second, "127.0.0.3") })
        {
            for (var i = 0; i < NginxSite.SignInBudget; i++)
            {
                var status = await SignInAsync(client, sameNode);
                Assert.True(status == HttpStatusCode.Unauthorized, $"sign-in {i + 1} from {from}: {status}, expected 401.\n{site.Nginx.Logs()}");
            }

            Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(client, sameNode));
        }

        // /metrics: a node serves it to staff on its own port, but nginx never passes it on, in any case of letters.
        var (username, password) = await site.OfficerAsync();
        using var officer = site.Client("127.0.0.4");
        var token = (await officer.PostJsonAsync("/api/officers/sign-in", new { username, password })).GetProperty("token").GetString();
        using (var direct = new HttpClient { BaseAddress = site.Node1.Address })
        {
            direct.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            Assert.Equal(HttpStatusCode.OK, (await direct.GetAsync("/metrics")).StatusCode);
        }

        officer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (var path in new[] { "/metrics", "/METRICS", "/metrics/" })
        {
            using var hidden = await officer.GetAsync(path);
            Assert.True(hidden.StatusCode == HttpStatusCode.NotFound, $"{path} through nginx: {(int)hidden.StatusCode}, expected 404");
        }

        // The largest evidence file the server takes gets through nginx to the server (which answers, here refusing
        // bytes that are no image); one beyond nginx's limit is stopped by nginx itself.
        var report = await anonymous.PostJsonAsync("/api/cases", Api.Report("京A97531", parties: 1), 201);
        using var party = site.Client("127.0.0.2");
        party.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", report.GetProperty("partyToken").GetString());
        var evidence = $"/api/cases/{report.GetProperty("caseId").GetString()}/evidence";
        using (var atLimit = await party.PostAsync(evidence, Upload(new EvidenceOptions().MaxBytes)))
        {
            Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, atLimit.StatusCode);
            Assert.Equal("application/problem+json", atLimit.Content.Headers.ContentType?.MediaType);
        }

        // Expect: 100-continue, as curl sends it for large bodies: nginx answers 413 from the headers alone.
        using (var tooLarge = new HttpRequestMessage(HttpMethod.Post, evidence) { Content = Upload(17L * 1024 * 1024) })
        {
            tooLarge.Headers.ExpectContinue = true;
            using var beyond = await party.SendAsync(tooLarge);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, beyond.StatusCode);
            Assert.Contains("nginx", await beyond.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    private static MultipartFormDataContent Upload(long bytes) => new()
    {
        { new ByteArrayContent(new byte[bytes]), "file", "photo.jpg" },
        { new StringContent("photo"), "kind" },
    };

    private static async Task<HttpStatusCode> SignInAsync(HttpClient client, string cookie)
    {
        // A new unknown username each time: this is about the per-client limit, not the per-username one.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/officers/sign-in")
        {
            Content = JsonContent.Create(new { username = $"nobody-{Guid.NewGuid():N}", password = "wrong" }),
        };
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>How many WebSockets to the hub the page has opened, and the address of the one open now ("" if none).</summary>
    private static async Task<(int Count, string OpenUrl)> HubSocketsAsync(IPage page)
    {
        var state = await page.EvaluateAsync<string[]>("""
            () => {
              const all = window.__test.sockets.filter((s) => s.url.includes('/hubs/call'));
              const open = all.filter((s) => s.readyState === 1).at(-1);
              return [String(all.length), open ? open.url : ''];
            }
            """);
        return (int.Parse(state[0], System.Globalization.CultureInfo.InvariantCulture), state[1]);
    }

    /// <summary>Decodes the join QR code the driver page shows (drawn to a canvas, read with ZXing); null if it cannot be read (yet).</summary>
    private static async Task<string?> JoinQrAsync(IPage driver)
    {
        const int Size = 600;
        var gray = Convert.FromBase64String(await driver.EvaluateAsync<string>("""
            async (size) => {
              const img = document.querySelector('[data-testid=join-qr]');
              await img.decode();
              const canvas = document.createElement('canvas');
              canvas.width = size; canvas.height = size;
              const g = canvas.getContext('2d');
              g.fillStyle = '#fff'; g.fillRect(0, 0, size, size);
              g.drawImage(img, 50, 50, size - 100, size - 100);
              const rgba = g.getImageData(0, 0, size, size).data;
              const gray = new Uint8Array(size * size);
              for (let i = 0; i < gray.length; i++) gray[i] = (rgba[4 * i] + rgba[4 * i + 1] + rgba[4 * i + 2]) / 3;
              let text = '';
              for (let i = 0; i < gray.length; i += 0x8000) text += String.fromCharCode(...gray.subarray(i, i + 0x8000));
              return btoa(text);
            }
            """, Size));
        return PdfReading.Decode(gray, Size, Size);
    }

    private static Task CaseStatusAsync(IPage console, string status) =>
        console.Locator($"[data-testid=case-status][data-status={status}]").WaitForAsync();
}
