using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AccidentRemote.Server.Auth;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Infrastructure;

/// <summary>
/// The real server in process, on the database and bus a test chooses. SQLite files and
/// settings are per instance; Dispose stops the host and deletes the file it made.
/// </summary>
public sealed class TestApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;
    private readonly string? sqliteFile;

    /// <summary>Replacements for services (a fixed clock, a recording fake), applied after the app's own.</summary>
    public Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? ServiceOverrides { get; init; }

    private TestApp(Dictionary<string, string?> settings, string? sqliteFile)
    {
        this.settings = settings;
        this.sqliteFile = sqliteFile;
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Embedded defaults: a SQLite file and the in-memory bus.</summary>
    public static TestApp Embedded(string? sqliteFile = null, Dictionary<string, string?>? extra = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var file = sqliteFile ?? Path.Combine(Path.GetTempPath(), $"ar-test-{Guid.NewGuid():N}.db");
        var s = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={file}",
            ["Bus:Transport"] = "InMemory",
        };
        Merge(s, extra);
        return new TestApp(s, sqliteFile is null ? file : null) { ServiceOverrides = services };
    }

    /// <summary>Production shape: PostgreSQL and RabbitMQ.</summary>
    public static TestApp Production(string postgres, string vhost, int? rabbitPort = null, Dictionary<string, string?>? extra = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var s = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = postgres,
            ["Bus:Transport"] = "RabbitMq",
            ["Bus:RabbitMq:Host"] = TestServices.RabbitHost,
            ["Bus:RabbitMq:Port"] = (rabbitPort ?? TestServices.RabbitPort).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Bus:RabbitMq:VirtualHost"] = vhost,
            ["Bus:RabbitMq:Username"] = TestServices.RabbitUser,
            ["Bus:RabbitMq:Password"] = TestServices.RabbitPassword,
        };
        Merge(s, extra);
        return new TestApp(s, null) { ServiceOverrides = services };
    }

    /// <summary>
    /// Listens on a real loopback port (Kestrel), for browsers and WebSocket clients.
    /// Returns the base address, e.g. http://127.0.0.1:41234.
    /// </summary>
    public Uri StartKestrel()
    {
        if (kestrelAddress is null)
        {
            UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
            StartServer();
            var addresses = Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
                .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
            kestrelAddress = new Uri(addresses.First());
        }

        return kestrelAddress;
    }

    private Uri? kestrelAddress;

    /// <summary>An HttpClient to the Kestrel port (after <see cref="StartKestrel"/>), optionally with a bearer token.</summary>
    public HttpClient RealClient(string? token = null)
    {
        var client = new HttpClient { BaseAddress = StartKestrel() };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public static TestApp WithSettings(Dictionary<string, string?> s, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null) =>
        new(s, null) { ServiceOverrides = services };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // UseSetting is visible to Program before Build(), unlike ConfigureAppConfiguration.
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (ServiceOverrides is { } configure)
        {
            Microsoft.AspNetCore.TestHost.WebHostBuilderExtensions.ConfigureTestServices(builder, configure);
        }
    }

    /// <summary>A client signed in as a new officer.</summary>
    public async Task<HttpClient> OfficerClientAsync(string username = "officer1", string role = Roles.Officer)
    {
        var password = Secrets.NewPassword();
        await Services.GetRequiredService<OfficerStore>().CreateOrResetAsync(username, "Test " + username, role, password, CancellationToken.None, badgeNumber: TestBadge.For(username));
        var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/officers/sign-in", new { username, password });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("token").GetString());
        return client;
    }

    public HttpClient PartyClient(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && sqliteFile is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { sqliteFile, sqliteFile + "-wal", sqliteFile + "-shm" })
            {
                File.Delete(f);
            }
        }
    }

    private static void Merge(Dictionary<string, string?> target, Dictionary<string, string?>? extra)
    {
        foreach (var (k, v) in extra ?? [])
        {
            target[k] = v;
        }
    }
}
