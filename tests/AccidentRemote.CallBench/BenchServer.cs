using AccidentRemote.Server.Auth;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.CallBench;

/// <summary>The real server in this process on a loopback Kestrel port: a throwaway SQLite file, the in-memory bus.</summary>
public sealed class BenchServer(string repositoryRoot) : WebApplicationFactory<global::Program>
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"ar-callbench-{Guid.NewGuid():N}");

    public Uri Start()
    {
        Directory.CreateDirectory(folder);
        UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First());
    }

    public async Task<(string Username, string Password)> OfficerAsync(string username)
    {
        var password = Secrets.NewPassword();
        await Services.GetRequiredService<OfficerStore>().CreateOrResetAsync(username, "Bench " + username, Roles.Officer, password, CancellationToken.None);
        return (username, password);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // Not a test project: no content-root attribute, so point at the server's folder (wwwroot, fonts settings).
        builder.UseContentRoot(Path.Combine(repositoryRoot, "src", "AccidentRemote.Server"));
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("Database:ConnectionString", $"Data Source={Path.Combine(folder, "bench.db")}");
        builder.UseSetting("Bus:Transport", "InMemory");
        builder.UseSetting("Evidence:StoragePath", Path.Combine(folder, "evidence"));
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
