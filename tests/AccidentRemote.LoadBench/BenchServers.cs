using System.Net.Http.Json;
using System.Text.Json;
using AccidentRemote.Server.Auth;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AccidentRemote.LoadBench;

internal static class BenchServers
{
    /// <summary>Limits that protect production from one abusive client, raised to their validated maximum so the bench measures the server, not its limiter.</summary>
    public static Dictionary<string, string?> Raised(Dictionary<string, string?>? extra = null)
    {
        var s = new Dictionary<string, string?>
        {
            ["Signalling:SignalsPerSecond"] = "10000",
            ["Signalling:SignalBurst"] = "10000",
            ["Cases:ReportsPerMinutePerAddress"] = "100000",
            ["Auth:SignInAttemptsPerMinute"] = "10000",
            // Not a test project: no content-root attribute, so point at the server's folder (as the call bench does).
            ["contentRoot"] = Path.Combine(RepositoryRoot(), "src", "AccidentRemote.Server"),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        };
        foreach (var (k, v) in extra ?? [])
        {
            s[k] = v;
        }

        return s;
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AccidentRemote.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("AccidentRemote.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The fresh database with connection pooling on (PostgresDatabase turns it off for tests that drop databases).</summary>
    public static string Pooled(PostgresDatabase db) =>
        new NpgsqlConnectionStringBuilder(db.ConnectionString) { Pooling = true, MaxPoolSize = 50 }.ConnectionString;

    /// <summary>PostgreSQL with the in-memory bus (signalling and report API do not touch the broker).</summary>
    public static TestApp PostgresOnly(string connectionString) => TestApp.WithSettings(Raised(new()
    {
        ["Database:Provider"] = "Postgres",
        ["Database:ConnectionString"] = connectionString,
        ["Bus:Transport"] = "InMemory",
    }));

    /// <summary>Reports spread over the city, 1 km apart (every report at one place is a duplicate candidate of every earlier one).</summary>
    public static Dictionary<string, object?> Placed(Dictionary<string, object?> report, int i)
    {
        report["latitude"] = 39.60 + (i % 100 * 0.01);
        report["longitude"] = 116.00 + (i / 100 % 100 * 0.01);
        return report;
    }

    /// <summary>Signs an existing officer in: an HttpClient with the bearer set, and the token.</summary>
    public static async Task<(HttpClient Client, string Token)> SignInAsync(Uri baseAddress, string username, string password)
    {
        var client = new HttpClient { BaseAddress = baseAddress };
        var response = await client.PostAsJsonAsync("/api/officers/sign-in", new { username, password });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return (client, token);
    }

    /// <summary>A new officer signed in over the Kestrel port: the HttpClient (bearer set) and the token.</summary>
    public static async Task<(HttpClient Client, string Token)> OfficerAsync(TestApp app, string username)
    {
        var password = Secrets.NewPassword();
        await app.Services.GetRequiredService<OfficerStore>().CreateOrResetAsync(username, "Bench " + username, Roles.Officer, password, CancellationToken.None);
        var client = app.RealClient();
        var response = await client.PostAsJsonAsync("/api/officers/sign-in", new { username, password });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return (client, token);
    }
}
