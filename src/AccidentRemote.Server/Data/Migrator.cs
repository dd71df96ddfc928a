using System.Data.Common;
using System.Reflection;
using Dapper;

namespace AccidentRemote.Server.Data;

/// <summary>
/// Applies the numbered SQL files in <c>Data/Migrations</c> in order, each once, each in a
/// transaction. Files that have shipped are never edited: add a new number instead.
/// The files use a few type tokens so one file serves both databases (the dialect hook):
/// <c>{ts}</c> a UTC time, <c>{real}</c> a double, <c>{bytes}</c> binary data. Where the dialects really
/// differ (triggers), a migration comes as two files, <c>NNNN_name.postgres.sql</c> and
/// <c>NNNN_name.sqlite.sql</c>, and only the one for the configured provider runs.
/// </summary>
public sealed class Migrator(Db db, ILogger<Migrator> logger)
{
    private const long PostgresLockKey = 0x4163634d69677231; // "AccMigr1": one node migrates at a time.

    public async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        if (db.Provider == DatabaseProvider.Postgres)
        {
            await connection.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = PostgresLockKey });
        }

        try
        {
            await connection.ExecuteAsync("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    INTEGER PRIMARY KEY,
                    name       TEXT NOT NULL,
                    applied_at TEXT NOT NULL
                )
                """);
            var applied = (await connection.QueryAsync<int>("SELECT version FROM schema_migrations")).ToHashSet();
            foreach (var (version, name, sql) in LoadScripts(db.Provider))
            {
                if (applied.Contains(version))
                {
                    continue;
                }

                await using var tx = await connection.BeginTransactionAsync(ct);
                await connection.ExecuteAsync(Translate(sql), transaction: tx);
                await connection.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)",
                    new { version, name, at = DateTimeOffset.UtcNow.ToString("O") },
                    tx);
                await tx.CommitAsync(ct);
                logger.LogInformation("Applied database migration {Version} {Name}", version, name);
            }
        }
        finally
        {
            if (db.Provider == DatabaseProvider.Postgres)
            {
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = PostgresLockKey });
            }
        }
    }

    private string Translate(string sql) => db.Provider switch
    {
        DatabaseProvider.Postgres => sql.Replace("{ts}", "timestamptz", StringComparison.Ordinal).Replace("{real}", "double precision", StringComparison.Ordinal)
            .Replace("{bytes}", "bytea", StringComparison.Ordinal),
        _ => sql.Replace("{ts}", "TEXT", StringComparison.Ordinal).Replace("{real}", "REAL", StringComparison.Ordinal).Replace("{bytes}", "BLOB", StringComparison.Ordinal),
    };

    internal static IEnumerable<(int Version, string Name, string Sql)> LoadScripts(DatabaseProvider provider)
    {
        var assembly = typeof(Migrator).Assembly;
        const string prefix = "AccidentRemote.Server.Data.Migrations.";
        var other = provider == DatabaseProvider.Postgres ? ".sqlite.sql" : ".postgres.sql";
        var scripts = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && !n.EndsWith(other, StringComparison.Ordinal)))
        {
            var file = resource[prefix.Length..];
            var version = int.Parse(file.AsSpan(0, file.IndexOf('_', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var name = file[..^".sql".Length].Replace(".postgres", "", StringComparison.Ordinal).Replace(".sqlite", "", StringComparison.Ordinal);
            scripts.Add((version, name, reader.ReadToEnd()));
        }

        return scripts.OrderBy(s => s.Item1);
    }
}

/// <summary>Runs the migrations before the server starts taking requests.</summary>
internal sealed class MigrationHostedService(Migrator migrator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
