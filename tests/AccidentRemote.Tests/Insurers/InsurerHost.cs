using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Data;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Insurers;

/// <summary>The real app on SQLite or a fresh PostgreSQL database, with helpers to sign in insurer staff and officers. Disposing removes both.</summary>
public sealed class InsurerHost : IAsyncDisposable
{
    private readonly PostgresDatabase? postgres;

    private InsurerHost(TestApp app, PostgresDatabase? postgres)
    {
        App = app;
        this.postgres = postgres;
    }

    public TestApp App { get; }

    public static async Task<InsurerHost> StartAsync(DatabaseProvider provider, Dictionary<string, string?>? extra = null, Action<IServiceCollection>? services = null)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            return new InsurerHost(TestApp.Embedded(extra: extra, services: services), null);
        }

        var pg = await PostgresDatabase.CreateAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = pg.ConnectionString,
            ["Bus:Transport"] = "InMemory",
        };
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        return new InsurerHost(TestApp.WithSettings(settings, services), pg);
    }

    /// <summary>A client signed in as staff of one insurer.</summary>
    public async Task<HttpClient> InsurerAsync(string username, string code)
    {
        var password = Secrets.NewPassword();
        await App.Services.GetRequiredService<OfficerStore>().CreateOrResetAsync(username, username, Roles.Insurer, password, CancellationToken.None, code);
        var client = App.CreateClient();
        var signIn = await client.PostJsonAsync("/api/officers/sign-in", new { username, password });
        client.DefaultRequestHeaders.Authorization = new("Bearer", signIn.GetProperty("token").GetString());
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        if (postgres is not null)
        {
            await postgres.DisposeAsync();
        }
    }
}
