using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using AccidentRemote.Server.Auth;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Edge;

/// <summary>
/// The production edge on loopback: the shipped site file <c>infra/nginx/accidentremote.conf</c>, rendered only by
/// substituting ports, node addresses, certificate and log paths (each must occur exactly once, so an edit of the
/// file cannot silently leave the test on something else), in front of two node processes started by
/// <c>infra/node/start-node.sh</c> that share PostgreSQL, RabbitMQ, Redis and the evidence folder, with
/// <c>Documents:PublicBaseUrl</c> and <c>Auth:TrustedProxies</c> set as an operator sets them. TLS comes from a test CA.
/// </summary>
public sealed class NginxSite : IAsyncLifetime
{
    /// <summary>Sign-in attempts per client per minute on every node (small, so a test can use a budget up).</summary>
    public const int SignInBudget = 3;

    private readonly string evidence = Path.Combine(Path.GetTempPath(), $"ar-edge-evidence-{Guid.NewGuid():N}");
    private PostgresDatabase? database;
    private RabbitVhost? vhost;

    public TestCertificateAuthority Ca { get; } = TestCertificateAuthority.Create();

    public Nginx Nginx { get; private set; } = null!;

    public NodeProcess Node1 { get; private set; } = null!;

    public NodeProcess Node2 { get; private set; } = null!;

    public int HttpsPort { get; } = NodeProcess.FreePort();

    public int HttpPort { get; } = NodeProcess.FreePort();

    /// <summary>The public address, as Documents:PublicBaseUrl names it and browsers open it.</summary>
    public Uri PublicAddress => new($"https://127.0.0.1:{HttpsPort}");

    public Uri PlainAddress => new($"http://127.0.0.1:{HttpPort}");

    public static string SitePath => Path.Combine(ProvisionedBroker.RepositoryRoot(), "infra", "nginx", "accidentremote.conf");

    /// <summary>The site's own access log (the format the site file defines).</summary>
    public string AccessLog => File.ReadAllText(Path.Combine(Nginx.Folder, "accidentremote.access.log"));

    public async ValueTask InitializeAsync()
    {
        database = await PostgresDatabase.CreateAsync();
        vhost = await RabbitVhost.CreateAsync();
        var redisPrefix = $"test-{Guid.NewGuid():N}";
        Dictionary<string, string?> Settings() => new()
        {
            ["Database__ConnectionString"] = database.ConnectionString,
            ["Bus__RabbitMq__Host"] = TestServices.RabbitHost,
            ["Bus__RabbitMq__Port"] = TestServices.RabbitPort.ToString(CultureInfo.InvariantCulture),
            ["Bus__RabbitMq__VirtualHost"] = vhost.Name,
            ["Bus__RabbitMq__Username"] = TestServices.RabbitUser,
            ["Bus__RabbitMq__Password"] = TestServices.RabbitPassword,
            ["Signalling__Redis"] = TestServices.Redis,
            ["Signalling__RedisPrefix"] = redisPrefix, // the Redis is shared with other tests running at the same time
            ["Evidence__StoragePath"] = evidence,
            // What the operator sets on every node behind the proxy: the public https address, and nginx's
            // address as the nodes see it (here nginx connects from 127.0.0.1).
            ["Documents__PublicBaseUrl"] = PublicAddress.ToString().TrimEnd('/'),
            ["Auth__TrustedProxies__0"] = "127.0.0.1",
            ["Auth__SignInAttemptsPerMinute"] = SignInBudget.ToString(CultureInfo.InvariantCulture),
        };

        var starting = new[] { NodeProcess.StartAsync("edge-node1", Settings()), NodeProcess.StartAsync("edge-node2", Settings()) };
        try
        {
            var nodes = await Task.WhenAll(starting);
            Node1 = nodes[0];
            Node2 = nodes[1];
        }
        catch
        {
            foreach (var started in starting.Where(t => t.IsCompletedSuccessfully))
            {
                await (await started).DisposeAsync();
            }

            throw;
        }

        var template = await File.ReadAllTextAsync(SitePath);
        Nginx = await Nginx.StartSiteAsync(HttpsPort, folder =>
        {
            Ca.WritePem(Path.Combine(folder, "tls"));
            return Render(template, new()
            {
                ["listen 80;"] = $"listen 127.0.0.1:{HttpPort};",
                ["listen [::]:80;"] = "",
                ["listen 443 ssl http2;"] = $"listen 127.0.0.1:{HttpsPort} ssl http2;",
                ["listen [::]:443 ssl http2;"] = "",
                ["server 10.0.0.11:5080 "] = $"server 127.0.0.1:{Node1.Port} ",
                ["server 10.0.0.12:5080 "] = $"server 127.0.0.1:{Node2.Port} ",
                ["/etc/ssl/accidentremote/fullchain.pem"] = Path.Combine(folder, "tls", "fullchain.pem"),
                ["/etc/ssl/accidentremote/privkey.pem"] = Path.Combine(folder, "tls", "privkey.pem"),
                ["/var/log/nginx/accidentremote.access.log"] = Path.Combine(folder, "accidentremote.access.log"),
                ["/var/log/nginx/accidentremote.error.log"] = Path.Combine(folder, "accidentremote.error.log"),
            });
        });
    }

    /// <summary>Replaces each key, which must occur exactly once in the site file, by its value.</summary>
    public static string Render(string site, Dictionary<string, string> substitutions)
    {
        foreach (var (from, to) in substitutions)
        {
            var count = (site.Length - site.Replace(from, "", StringComparison.Ordinal).Length) / from.Length;
            if (count != 1)
            {
                throw new InvalidOperationException(
                    $"infra/nginx/accidentremote.conf has '{from}' {count} times, the test renders it from exactly one: update NginxSite with the file.");
            }

            site = site.Replace(from, to, StringComparison.Ordinal);
        }

        return site;
    }

    /// <summary>A new officer account (in the shared database) and its password, for the console's sign-in form.</summary>
    public async Task<(string Username, string Password)> OfficerAsync(string role = Roles.Officer)
    {
        var username = $"edge{Guid.NewGuid():N}"[..16];
        var password = Secrets.NewPassword();
        using var admin = TestApp.WithSettings(new()
        {
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = database!.ConnectionString,
            ["Bus:Transport"] = "InMemory",
        });
        await admin.Services.GetRequiredService<OfficerStore>().CreateOrResetAsync(username, "Officer " + username, role, password, CancellationToken.None, badgeNumber: TestBadge.For(username));
        return (username, password);
    }

    /// <summary>An HTTPS client of nginx whose connections leave from <paramref name="source"/> and trust only the test CA.</summary>
    public HttpClient Client(string source = "127.0.0.1") => Nginx.ClientFrom(IPAddress.Parse(source), PublicAddress, Ca);

    /// <summary>A routing cookie (what the site hands each browser): requests carrying the same one reach the same node.</summary>
    public static string RouteCookie() => "ar_route=" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// Waits until nginx passes requests to <paramref name="node"/> again (after a restart nginx leaves a node that
    /// refused connections alone for the site's fail_timeout): probes with fresh routing cookies, read back from the
    /// access log's upstream address, until one was answered by that node. An operator's rolling restart waits the same way.
    /// </summary>
    public async Task WaitUntilRoutedToAsync(NodeProcess node)
    {
        using var client = Client();
        await Eventually.Until(async () =>
        {
            var probe = $"/edge-probe/{Guid.NewGuid():N}";
            using var request = new HttpRequestMessage(HttpMethod.Get, probe);
            request.Headers.Add("Cookie", RouteCookie());
            using var response = await client.SendAsync(request);
            var line = AccessLog.Split('\n').LastOrDefault(l => l.Contains(probe, StringComparison.Ordinal)) ?? "";
            // "$upstream_addr" $upstream_status: that node alone (a list would mean another was tried first).
            return line.Contains($"\"127.0.0.1:{node.Port}\" ", StringComparison.Ordinal);
        }, routed => routed, $"nginx to pass a request to {node.Name} again", TimeSpan.FromSeconds(40));
    }

    /// <summary>For a test that stops nodes: whatever way it ends, the nodes it left stopped are started again for the next test.</summary>
    public IAsyncDisposable RestartStoppedNodesOnDispose() => new Restarter(this);

    private sealed class Restarter(NginxSite site) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            foreach (var node in new[] { site.Node1, site.Node2 })
            {
                if (node.IsRunning && !await ReadyAsync(probe, node))
                {
                    await node.KillAsync(); // stuck on its way down
                }

                if (!node.IsRunning)
                {
                    await node.StartAgainAsync();
                }
            }
        }

        private static async Task<bool> ReadyAsync(HttpClient probe, NodeProcess node)
        {
            try
            {
                using var response = await probe.GetAsync(new Uri(node.Address, "/health/ready"));
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Nginx is not null)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(Nginx.Logs());
            await Nginx.DisposeAsync();
        }

        foreach (var node in new[] { Node1, Node2 })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        if (vhost is not null)
        {
            await vhost.DisposeAsync();
        }

        if (database is not null)
        {
            await database.DisposeAsync();
        }

        if (Directory.Exists(evidence))
        {
            Directory.Delete(evidence, recursive: true);
        }

        Ca.Dispose();
    }
}
