using AccidentRemote.Server.Data;
using AccidentRemote.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Tests.Data;

/// <summary>The same data-layer behaviour on SQLite and on PostgreSQL.</summary>
public sealed class DataLayerTests
{
    private sealed class Probe
    {
        public Guid Id { get; set; }

        public DateTimeOffset At { get; set; }

        public DateTimeOffset? Maybe { get; set; }

        public Guid? OtherId { get; set; }
    }

    [Theory]
    [BothDatabases]
    public async Task Times_and_ids_round_trip_as_the_same_instant_and_value(DatabaseProvider provider)
    {
        await using var scope = await DatabaseScope.CreateAsync(provider);
        await using var c = await scope.Db.OpenAsync();
        await c.ExecuteAsync("CREATE TABLE probe (id TEXT PRIMARY KEY, at " + scope.TimeType + " NOT NULL, maybe " + scope.TimeType + ", other_id TEXT)");

        var id = Guid.NewGuid();
        // Beijing local time with microsecond precision (what timestamptz keeps).
        var at = new DateTimeOffset(2026, 11, 28, 9, 30, 15, 123, 456, TimeSpan.FromHours(8));
        await c.ExecuteAsync("INSERT INTO probe (id, at, maybe, other_id) VALUES (@id, @at, @maybe, @otherId)",
            new { id, at, maybe = (DateTimeOffset?)null, otherId = (Guid?)null });

        var back = await c.QuerySingleAsync<Probe>("SELECT id, at, maybe, other_id FROM probe WHERE id = @id", new { id });
        Assert.Equal(id, back.Id);
        Assert.Equal(at.UtcTicks, back.At.UtcTicks);
        Assert.Equal(TimeSpan.Zero, back.At.Offset);
        Assert.Null(back.Maybe);
        Assert.Null(back.OtherId);
    }

    [Theory]
    [BothDatabases]
    public async Task Comparing_times_in_SQL_follows_the_instant_not_the_text(DatabaseProvider provider)
    {
        await using var scope = await DatabaseScope.CreateAsync(provider);
        await using var c = await scope.Db.OpenAsync();
        await c.ExecuteAsync("CREATE TABLE probe (id TEXT PRIMARY KEY, at " + scope.TimeType + " NOT NULL)");
        var baseTime = new DateTimeOffset(2026, 11, 28, 1, 0, 0, TimeSpan.Zero);
        // Inserted with different offsets and sub-second parts: order must still be by instant.
        // As text with their offsets, "09:00:01+08:00" would sort after "03:00:00+00:00"; as instants it is earlier.
        var times = new[] { baseTime.AddHours(2), baseTime.AddSeconds(1).ToOffset(TimeSpan.FromHours(8)), baseTime.AddMilliseconds(500), baseTime, baseTime.AddHours(-1).ToOffset(TimeSpan.FromHours(-5)) };
        foreach (var t in times)
        {
            await c.ExecuteAsync("INSERT INTO probe (id, at) VALUES (@id, @t)", new { id = Guid.NewGuid(), t });
        }

        var ordered = (await c.QueryAsync<DateTimeOffset>("SELECT at FROM probe WHERE at >= @from ORDER BY at", new { from = baseTime })).ToList();
        Assert.Equal([baseTime, baseTime.AddMilliseconds(500), baseTime.AddSeconds(1), baseTime.AddHours(2)], ordered);
    }

    [Theory]
    [BothDatabases]
    public async Task Migrations_apply_once_and_running_them_again_changes_nothing(DatabaseProvider provider)
    {
        await using var scope = await DatabaseScope.CreateAsync(provider);
        var migrator = new Migrator(scope.Db, NullLogger<Migrator>.Instance);
        await migrator.MigrateAsync();
        await migrator.MigrateAsync();
        await using var c = await scope.Db.OpenAsync();
        var versions = (await c.QueryAsync<int>("SELECT version FROM schema_migrations ORDER BY version")).ToList();
        Assert.Equal(Migrator.LoadScripts(provider).Select(s => s.Version), versions);
        Assert.Equal(0, await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM cases"));
    }

    /// <summary>A throwaway database of either kind.</summary>
    private sealed class DatabaseScope : IAsyncDisposable
    {
        private readonly PostgresDatabase? postgres;
        private readonly string? sqliteFile;

        private DatabaseScope(Db db, string timeType, PostgresDatabase? postgres, string? sqliteFile)
        {
            Db = db;
            TimeType = timeType;
            this.postgres = postgres;
            this.sqliteFile = sqliteFile;
        }

        public Db Db { get; }

        public string TimeType { get; }

        public static async Task<DatabaseScope> CreateAsync(DatabaseProvider provider)
        {
            TypeHandlers.Register();
            if (provider == DatabaseProvider.Postgres)
            {
                var pg = await PostgresDatabase.CreateAsync();
                return new DatabaseScope(new Db(Options.Create(new DatabaseOptions { Provider = provider, ConnectionString = pg.ConnectionString })), "timestamptz", pg, null);
            }

            var file = Path.Combine(Path.GetTempPath(), $"ar-data-{Guid.NewGuid():N}.db");
            return new DatabaseScope(new Db(Options.Create(new DatabaseOptions { Provider = provider, ConnectionString = $"Data Source={file}" })), "TEXT", null, file);
        }

        public async ValueTask DisposeAsync()
        {
            Db.Dispose();
            if (postgres is not null)
            {
                await postgres.DisposeAsync();
            }

            if (sqliteFile is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                File.Delete(sqliteFile);
                File.Delete(sqliteFile + "-wal");
                File.Delete(sqliteFile + "-shm");
            }
        }
    }
}
