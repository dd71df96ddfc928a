using AccidentRemote.Server.Data;

namespace AccidentRemote.Server.Audit;

/// <summary><c>verify-audit</c>: checks the audit log's hash chain; exit code 0 when intact, 1 with the first broken entry named.</summary>
internal static class AuditCommand
{
    public static async Task<int> RunAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.AddData();
        builder.Services.AddSingleton<AuditLog>();
        using var host = builder.Build();
        await host.Services.GetRequiredService<Migrator>().MigrateAsync();
        var result = await host.Services.GetRequiredService<AuditLog>().VerifyAsync(CancellationToken.None);
        Console.WriteLine(result.Intact
            ? $"Audit log intact: {result.Entries} entries, every hash checks."
            : $"Audit log BROKEN. {result.Problem} Entries before it are intact.");
        return result.Intact ? 0 : 1;
    }
}
