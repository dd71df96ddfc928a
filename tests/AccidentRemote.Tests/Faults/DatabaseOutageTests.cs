using System.Net.Http.Json;
using System.Net;
using AccidentRemote.Tests.Infrastructure;
using Npgsql;

namespace AccidentRemote.Tests.Faults;

/// <summary>PostgreSQL unreachable for a while (as during a restart): /health/ready says so, requests fail cleanly, and the server recovers by itself.</summary>
[Trait(TestCategory.Name, TestCategory.Fault)]
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task While_PostgreSQL_is_unreachable_ready_reports_it_and_afterwards_the_server_recovers_by_itself()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var port = new NpgsqlConnectionStringBuilder(TestServices.PostgresAdmin).Port;
        await using var proxy = new TcpProxy(port);
        var through = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = proxy.Port, Pooling = true, Timeout = 3 }.ConnectionString;
        using var app = TestApp.WithSettings(new() { ["Database:Provider"] = "Postgres", ["Database:ConnectionString"] = through, ["Bus:Transport"] = "InMemory" });
        var officer = await app.OfficerClientAsync();
        var anonymous = app.CreateClient();
        await anonymous.PostJsonAsync("/api/cases", Api.Report("京A12345", parties: 1), 201);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);

        proxy.Cut();
        var down = await Eventually.Until(() => anonymous.GetAsync("/health/ready"), r => r.StatusCode == HttpStatusCode.ServiceUnavailable, "ready to report the database down");
        Assert.Contains("database", await down.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        var failed = await anonymous.PostAsJsonAsync("/api/cases", Api.Report("京B12345", parties: 1));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
        Assert.Contains("什么都没有改动", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(failed.Headers.RetryAfter);

        proxy.Restore();
        await Eventually.Until(() => anonymous.GetAsync("/health/ready"), r => r.StatusCode == HttpStatusCode.OK, "ready again", TimeSpan.FromSeconds(60));
        await anonymous.PostJsonAsync("/api/cases", Api.Report("京C12345", parties: 1), 201);
        var queue = await officer.GetJsonAsync("/api/queue");
        Assert.Equal(2, queue.GetArrayLength()); // the first report and the one after; nothing half-written from the outage
    }
}
