using System.Net;
using System.Net.Http.Json;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Data;
using AccidentRemote.Server.Hosting;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Edge;

/// <summary>
/// Staff sessions can be ended: a password reset with create-officer ends them; a disabled account cannot
/// sign in and its sessions stop at once (commands and the supervisor API), on SQLite and PostgreSQL.
/// </summary>
public sealed class SessionRevocationTests
{
    private const string Username = "li.wei";

    /// <summary>The app and, for the commands, the same database settings.</summary>
    private static async Task<(TestApp App, Dictionary<string, string?> Settings, IAsyncDisposable? Database)> StartAsync(DatabaseProvider provider, Dictionary<string, string?>? extra = null)
    {
        if (provider == DatabaseProvider.Postgres)
        {
            var database = await PostgresDatabase.CreateAsync();
            var pg = new Dictionary<string, string?> { ["Database:Provider"] = "Postgres", ["Database:ConnectionString"] = database.ConnectionString };
            var all = new Dictionary<string, string?>(pg) { ["Bus:Transport"] = "InMemory" };
            foreach (var (k, v) in extra ?? [])
            {
                all[k] = v;
            }

            return (TestApp.WithSettings(all), pg, database);
        }

        var file = Path.Combine(Path.GetTempPath(), $"ar-test-{Guid.NewGuid():N}.db");
        var sqlite = new Dictionary<string, string?> { ["Database:Provider"] = "Sqlite", ["Database:ConnectionString"] = $"Data Source={file}" };
        return (TestApp.Embedded(file, extra), sqlite, new SqliteFile(file));
    }

    private static async Task<HttpClient> SignedInAsync(TestApp app, string username, string password)
    {
        var client = app.CreateClient();
        var body = await client.PostJsonAsync("/api/officers/sign-in", new { username, password });
        client.DefaultRequestHeaders.Authorization = new("Bearer", body.GetProperty("token").GetString());
        return client;
    }

    private static async Task<string> NewOfficerAsync(TestApp app, string username = Username, string role = Roles.Officer)
    {
        var password = Secrets.NewPassword();
        await app.Services.GetRequiredService<OfficerStore>().CreateOrResetAsync(username, "李伟", role, password, CancellationToken.None);
        return password;
    }

    [Theory]
    [BothDatabases]
    public async Task Resetting_a_password_with_create_officer_ends_every_session_of_that_officer(DatabaseProvider provider)
    {
        var (app, settings, database) = await StartAsync(provider);
        await using (database)
        using (app)
        {
            var password = await NewOfficerAsync(app);
            var console = await SignedInAsync(app, Username, password);
            var phone = await SignedInAsync(app, Username, password);
            var colleague = await SignedInAsync(app, "zhang.min", await NewOfficerAsync(app, "zhang.min"));
            await console.GetJsonAsync("/api/queue");

            Assert.Equal(0, await OfficerCommand.RunAsync([Username, "李伟", Roles.Officer], settings));

            Assert.Equal(HttpStatusCode.Unauthorized, (await console.GetAsync("/api/queue")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await phone.GetAsync("/api/officers/me")).StatusCode);
            Assert.Equal(0, await app.Services.GetRequiredService<OfficerStore>().ActiveSessionCountAsync(Username, CancellationToken.None));
            // The old password no longer works; someone else's session is untouched.
            await app.CreateClient().PostJsonAsync("/api/officers/sign-in", new { username = Username, password }, 401);
            await colleague.GetJsonAsync("/api/queue");
        }
    }

    [Theory]
    [BothDatabases]
    public async Task A_disabled_account_cannot_sign_in_and_its_sessions_stop_at_once_until_it_is_enabled(DatabaseProvider provider)
    {
        var (app, settings, database) = await StartAsync(provider);
        await using (database)
        using (app)
        {
            var password = await NewOfficerAsync(app);
            var console = await SignedInAsync(app, Username, password);
            await console.GetJsonAsync("/api/queue");

            Assert.Equal(0, await OfficerCommand.SetDisabledAsync([Username], disable: true, settings));
            Assert.Equal(HttpStatusCode.Unauthorized, (await console.GetAsync("/api/queue")).StatusCode);
            var refused = await app.CreateClient().PostJsonAsync("/api/officers/sign-in", new { username = Username, password }, 403);
            Assert.Equal("SignIn.Disabled", refused.GetProperty("code").GetString());
            Assert.Equal("这个账号已被停用。", refused.GetProperty("title").GetString());
            // A wrong password still says only "wrong": being disabled is told only to whoever knows the password.
            await app.CreateClient().PostJsonAsync("/api/officers/sign-in", new { username = Username, password = "wrong" }, 401);

            Assert.Equal(0, await OfficerCommand.SetDisabledAsync([Username], disable: false, settings));
            var again = await SignedInAsync(app, Username, password);
            await again.GetJsonAsync("/api/queue");
            // The old session stays ended: enabling does not bring back what disabling cut.
            Assert.Equal(HttpStatusCode.Unauthorized, (await console.GetAsync("/api/queue")).StatusCode);
            Assert.Equal(1, await OfficerCommand.SetDisabledAsync(["nobody.here"], disable: true, settings));
        }
    }

    [Theory]
    [BothDatabases]
    public async Task A_supervisor_disables_and_enables_an_account_over_the_API_and_each_step_is_audited(DatabaseProvider provider)
    {
        var (app, _, database) = await StartAsync(provider);
        await using (database)
        using (app)
        {
            var supervisor = await SignedInAsync(app, "sup", await NewOfficerAsync(app, "sup", Roles.Supervisor));
            var password = await NewOfficerAsync(app);
            var officer = await SignedInAsync(app, Username, password);
            var insurerPassword = Secrets.NewPassword();
            await app.Services.GetRequiredService<OfficerStore>().CreateOrResetAsync("picc.desk", "PICC", Roles.Insurer, insurerPassword, CancellationToken.None, "picc");
            var desk = await SignedInAsync(app, "picc.desk", insurerPassword);

            // Only supervisors may; not oneself; an unknown name is told.
            await officer.PostJsonAsync("/api/officers/sup/disable", null, 403);
            await desk.PostJsonAsync($"/api/officers/{Username}/disable", null, 403);
            await supervisor.PostJsonAsync("/api/officers/sup/disable", null, 409);
            await supervisor.PostJsonAsync("/api/officers/nobody.here/disable", null, 404);

            await supervisor.PostJsonAsync($"/api/officers/{Username}/disable", null, 204);
            await supervisor.PostJsonAsync("/api/officers/picc.desk/disable", null, 204);
            Assert.Equal(HttpStatusCode.Unauthorized, (await officer.GetAsync("/api/queue")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await desk.GetAsync("/api/insurer/claims")).StatusCode);
            await app.CreateClient().PostJsonAsync("/api/officers/sign-in", new { username = Username, password }, 403);

            await supervisor.PostJsonAsync($"/api/officers/{Username}/enable", null, 204);
            await (await SignedInAsync(app, Username, password)).GetJsonAsync("/api/queue");

            var audit = await app.Services.GetRequiredService<AuditLog>().VerifyAsync(CancellationToken.None);
            Assert.True(audit.Intact, audit.Problem);
            Assert.Equal(3, await CountAuditAsync(app));
        }
    }

    [Theory]
    [BothDatabases]
    public async Task An_open_hub_connection_of_a_disabled_officer_is_closed_and_cannot_come_back(DatabaseProvider provider)
    {
        var (app, settings, database) = await StartAsync(provider, new() { ["Auth:HubSessionCheckInterval"] = "00:00:01" });
        await using (database)
        using (app)
        {
            var address = app.StartKestrel();
            var password = await NewOfficerAsync(app);
            using var anonymous = app.RealClient();
            var token = (await anonymous.PostJsonAsync("/api/officers/sign-in", new { username = Username, password })).GetProperty("token").GetString()!;
            await using var console = await HubClient.ConnectAsync(address, token);
            var colleagueToken = (await anonymous.PostJsonAsync("/api/officers/sign-in", new { username = "zhang.min", password = await NewOfficerAsync(app, "zhang.min") })).GetProperty("token").GetString()!;
            await using var colleague = await HubClient.ConnectAsync(address, colleagueToken);
            var closed = new TaskCompletionSource();
            console.Connection.Closed += _ =>
            {
                closed.TrySetResult();
                return Task.CompletedTask;
            };

            // The command runs as its own process would: only the database tells the server.
            Assert.Equal(0, await OfficerCommand.SetDisabledAsync([Username], disable: true, settings));
            await Eventually.Until(() => Task.FromResult(closed.Task.IsCompleted), c => c, "the disabled officer's hub connection to close");
            await Assert.ThrowsAnyAsync<Exception>(() => HubClient.ConnectAsync(address, token));
            // Other staff stay connected.
            Assert.Equal(HubConnectionState.Connected, colleague.Connection.State);
            await colleague.Connection.InvokeAsync<long>("Ping");
        }
    }

    /// <summary>Disable and enable entries made by the supervisor "sup".</summary>
    private static async Task<long> CountAuditAsync(TestApp app)
    {
        await using var c = await app.Services.GetRequiredService<AccidentRemote.Server.Data.Db>().OpenAsync();
        return await Dapper.SqlMapper.ExecuteScalarAsync<long>(c,
            "SELECT COUNT(*) FROM audit_log WHERE kind IN ('officer.disabled', 'officer.enabled') AND actor = 'officer:sup'");
    }

    /// <summary>Deletes the SQLite file of a test when it ends (TestApp.Embedded leaves a named file to its caller).</summary>
    private sealed class SqliteFile(string path) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(f);
            }

            return ValueTask.CompletedTask;
        }
    }
}
