using System.Net;
using System.Net.Http.Headers;
using AccidentRemote.Tests.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AccidentRemote.Tests.Edge;

/// <summary>/metrics is not public; MassTransit calls no one; answers with personal data are never cached.</summary>
public sealed class MetricsAndHeadersTests
{
    [Fact]
    public async Task Metrics_are_served_to_signed_in_staff_only_by_default()
    {
        using var app = TestApp.Embedded();
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient().GetAsync("/metrics")).StatusCode);
        var report = await app.CreateClient().PostJsonAsync("/api/cases", Api.Report(parties: 1), 201);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PartyClient(report.GetProperty("partyToken").GetString()!).GetAsync("/metrics")).StatusCode);

        var officer = await app.OfficerClientAsync();
        var metrics = await officer.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("accidentremote_cases_reported", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_metrics_port_a_node_serves_metrics_there_without_sign_in_and_nowhere_else()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var vhost = await RabbitVhost.CreateAsync();
        var metricsPort = NodeProcess.FreePort();
        var pooled = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = true, MaxPoolSize = 5 }.ConnectionString;
        await using var node = await NodeProcess.StartAsync("metrics", new()
        {
            ["Database__ConnectionString"] = pooled,
            ["Bus__RabbitMq__Host"] = TestServices.RabbitHost,
            ["Bus__RabbitMq__Port"] = TestServices.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Bus__RabbitMq__VirtualHost"] = vhost.Name,
            ["Bus__RabbitMq__Username"] = TestServices.RabbitUser,
            ["Bus__RabbitMq__Password"] = TestServices.RabbitPassword,
            ["Signalling__Redis"] = TestServices.Redis,
            ["Signalling__RedisPrefix"] = $"test-{Guid.NewGuid():N}",
            ["Kpis__MetricsPort"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var http = new HttpClient();
        var metricsBase = new Uri($"http://127.0.0.1:{metricsPort}");

        var scrape = await http.GetAsync(new Uri(metricsBase, "/metrics"));
        Assert.True(scrape.StatusCode == HttpStatusCode.OK, $"{scrape.StatusCode}\n{node.Tail()}");
        Assert.Contains("# TYPE", await scrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // The service's port does not serve them, not even with the metrics port in a forged Host header ...
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(node.Address, "/metrics"))).StatusCode);
        using var forged = new HttpRequestMessage(HttpMethod.Get, new Uri(node.Address, "/metrics"));
        forged.Headers.Host = $"127.0.0.1:{metricsPort}";
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(forged)).StatusCode);
        // ... the service still answers there, and the metrics port answers nothing else.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(node.Address, "/health/ready"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(metricsBase, "/health/ready"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(metricsBase, "/api/queue"))).StatusCode);
    }

    [Fact]
    public void MassTransit_usage_telemetry_is_off()
    {
        using var app = TestApp.Embedded();
        _ = app.Services; // builds the host
        Assert.False(app.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }

    [Fact]
    public async Task Case_reads_the_document_pdf_and_the_insurer_desk_are_answered_with_no_store_and_static_files_keep_their_caching()
    {
        using var app = TestApp.Embedded();
        var anonymous = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var (caseId, _, tokens) = await Api.CaseWithLiabilityAsync(anonymous, officer);
        await Api.GiveDetailsAndSignAsync(anonymous, officer, caseId, tokens);
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);
        var password = AccidentRemote.Server.Auth.Secrets.NewPassword();
        await app.Services.GetRequiredService<AccidentRemote.Server.Auth.OfficerStore>().CreateOrResetAsync(
            "picc.desk", "PICC", AccidentRemote.Server.Auth.Roles.Insurer, password, CancellationToken.None, "picc");
        var desk = app.CreateClient();
        desk.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            (await desk.PostJsonAsync("/api/officers/sign-in", new { username = "picc.desk", password })).GetProperty("token").GetString());
        var claims = await Eventually.Until(() => desk.GetJsonAsync("/api/insurer/claims"), l => l.GetArrayLength() == 1, "the claim on the desk");
        var claimId = claims[0].GetProperty("claimId").GetString();
        var party = app.PartyClient(tokens[0]);

        var personal = new (HttpClient Client, string Url)[]
        {
            (officer, $"/api/cases/{caseId}"),
            (party, $"/api/cases/{caseId}"),
            (party, $"/api/cases/{caseId}/document/pdf"),
            (desk, "/api/insurer/claims"),
            (desk, $"/api/insurer/claims/{claimId}"),
            (desk, $"/api/insurer/claims/{claimId}/document.pdf"),
        };
        foreach (var (client, url) in personal)
        {
            var response = await client.GetAsync(url);
            Assert.True(response.IsSuccessStatusCode, $"{url}: {response.StatusCode}");
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{url} answered Cache-Control: {response.Headers.CacheControl}");
        }

        // Errors and anonymous API answers too (a 404 for a guessed id is no reason to cache).
        Assert.True((await anonymous.GetAsync($"/api/cases/{Guid.NewGuid()}")).Headers.CacheControl?.NoStore == true);
        // Pages and static files keep their own rules.
        Assert.Equal("no-cache", (await anonymous.GetAsync("/")).Headers.CacheControl?.ToString());
        Assert.Equal("no-cache", (await anonymous.GetAsync("/css/driver.css")).Headers.CacheControl?.ToString());
    }
}
