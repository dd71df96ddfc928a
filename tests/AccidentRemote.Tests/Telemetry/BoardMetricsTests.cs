using System.Diagnostics;
using System.Text.Json;
using AccidentRemote.Server.Claims;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Telemetry;

/// <summary>The Grafana board and the Prometheus alert rules read only metrics that a running server exposes, and the rules load.</summary>
public sealed class BoardMetricsTests : PostgresAndBrokerTest
{
    private static readonly string Root = FindRoot();
    private static readonly string Dashboard = Path.Combine(Root, "infra", "grafana", "accidentremote-dashboard.json");
    private static readonly string Alerts = Path.Combine(Root, "infra", "prometheus", "accidentremote-alerts.yml");
    private static readonly string[] PromtoolPaths = ["/usr/bin/promtool", "/usr/local/bin/promtool"];

    [Theory]
    [InlineData("histogram_quantile(0.9, sum by (le) (rate(a_seconds_bucket{job=\"x\", insurer=~\"p.*\"}[5m])))", "a_seconds_bucket")]
    [InlineData("max by (insurer) (b_total) > 0 and sum(increase(c_total[1h] offset 5m)) == 0", "b_total c_total")]
    [InlineData("sum(rate(d_count[$__rate_interval])) without (instance) / on(job) group_left(insurer) e", "d_count e")]
    [InlineData("max(deriv(f[10m:1m])) > 1e3 or vector(0)", "f")]
    public void The_promql_reader_finds_metric_names_and_leaves_out_labels_functions_and_keywords(string expression, string expected) =>
        Assert.Equal(expected.Split(' ').Order(), PromQl.MetricNames(expression).Order());

    [Fact]
    public async Task Every_metric_the_dashboard_and_the_alert_rules_read_is_exposed_by_a_running_server()
    {
        var used = PromQl.DashboardExpressions(JsonDocument.Parse(await File.ReadAllTextAsync(Dashboard)).RootElement)
            .Concat(PromQl.RuleExpressions(await File.ReadAllTextAsync(Alerts)))
            .SelectMany(PromQl.MetricNames)
            .ToHashSet(StringComparer.Ordinal);
        // Waits, moves, closes, queue, officers, acknowledged, published, overdue, parked, dead-lettered, pending.
        Assert.True(used.Count >= 11, "names found: " + string.Join(", ", used));

        // The production shape (the dead-letter counts are RabbitMQ's), after one case went from report to close.
        using var app = TestApp.Production(Database.ConnectionString, Vhost.Name, extra: new()
        {
            ["Claims:PollInterval"] = "00:00:00.200",
            ["Kpis:GaugeRefresh"] = "00:00:01",
        });
        var officer = await app.OfficerClientAsync();
        await app.Services.GetRequiredService<BrokerTopology>().Declared.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var (caseId, _) = await Api.CaseReadyToCloseAsync(app.CreateClient(), officer);
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);

        // Gauges appear with their first reading (Kpis:GaugeRefresh), claims once the dispatcher ran: wait for them.
        var missing = await Eventually.Until(async () => string.Join(", ", used.Except(Exposed(await officer.GetStringAsync("/metrics"))).Order()),
            m => m.Length == 0, "every metric of the board and the rules on /metrics (the value: those still missing)");
        Assert.Empty(missing);
    }

    [Fact]
    public async Task A_message_in_an_insurers_dead_letter_queue_shows_in_that_insurers_dead_lettered_gauge()
    {
        // A server process of its own: in this test process every in-process server's meters share one name, and an
        // exporter takes only the first instrument of a name, so only a process of its own shows its own gauges.
        var metricsPort = NodeProcess.FreePort();
        await using var node = await NodeProcess.StartAsync("dead-letters", new()
        {
            ["Database__ConnectionString"] = new Npgsql.NpgsqlConnectionStringBuilder(Database.ConnectionString) { Pooling = true, MaxPoolSize = 5 }.ConnectionString,
            ["Bus__RabbitMq__Host"] = TestServices.RabbitHost,
            ["Bus__RabbitMq__Port"] = TestServices.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Bus__RabbitMq__VirtualHost"] = Vhost.Name,
            ["Bus__RabbitMq__Username"] = TestServices.RabbitUser,
            ["Bus__RabbitMq__Password"] = TestServices.RabbitPassword,
            ["Signalling__Redis"] = TestServices.Redis,
            ["Signalling__RedisPrefix"] = $"test-{Guid.NewGuid():N}",
            ["Kpis__MetricsPort"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Kpis__GaugeRefresh"] = "00:00:01",
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        // The queues exist once the server declared them and read them: 0 for every insurer.
        await Eventually.Until(() => http.GetStringAsync("/metrics"), m => Gauge(m, "picc") == "0", "an empty dead-letter queue read as 0", TimeSpan.FromSeconds(60));
        var factory = new RabbitMQ.Client.ConnectionFactory
        {
            HostName = TestServices.RabbitHost,
            Port = TestServices.RabbitPort,
            VirtualHost = Vhost.Name,
            UserName = TestServices.RabbitUser,
            Password = TestServices.RabbitPassword,
        };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new RabbitMQ.Client.CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        // As RabbitMQ dead-letters a rejected claim: into claims.picc.dead through the dead-letter exchange.
        await channel.BasicPublishAsync(AccidentRemote.Contracts.Claims.ClaimsWire.DeadLetterExchange, "picc", mandatory: true, new RabbitMQ.Client.BasicProperties(), "{}"u8.ToArray());

        var metrics = await Eventually.Until(() => http.GetStringAsync("/metrics"),
            m => Gauge(m, "picc") == "1", "accidentremote_claims_dead_lettered{insurer=\"picc\"} 1");
        Assert.Equal("0", Gauge(metrics, "pingan"));
    }

    private static string? Gauge(string exposition, string insurer) =>
        System.Text.RegularExpressions.Regex.Match(exposition, "^accidentremote_claims_dead_lettered\\{[^}]*insurer=\"" + insurer + "\"[^}]*\\} (\\S+)",
            System.Text.RegularExpressions.RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : null;

    [Fact]
    public async Task Promtool_accepts_the_alert_rules()
    {
        var promtool = PromtoolPaths.FirstOrDefault(File.Exists);
        Assert.True(promtool is not null, "promtool is missing: run infra/install-test-deps.sh (Debian package prometheus).");
        var start = new ProcessStartInfo(promtool, ["check", "rules", Alerts]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    /// <summary>The names of the samples and families in a Prometheus text exposition (histograms as their _bucket/_sum/_count series).</summary>
    private static HashSet<string> Exposed(string exposition)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in exposition.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                names.Add(line.Split(' ')[2]);
            }
            else if (!line.StartsWith('#'))
            {
                names.Add(line[..line.IndexOfAny(['{', ' '])]);
            }
        }

        return names;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AccidentRemote.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("AccidentRemote.sln not found above " + AppContext.BaseDirectory);
    }
}
