using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AccidentRemote.Server.Data;

/// <summary>
/// Opens connections to the configured database. Queries are written in the SQL that SQLite and
/// PostgreSQL share; where they differ, statements ask <see cref="Dialect"/> and migrations use
/// <see cref="Migrator"/>'s type tokens.
/// </summary>
public sealed class Db : IDisposable
{
    private readonly DatabaseOptions options;
    private readonly NpgsqlDataSource? npgsql;

    public Db(IOptions<DatabaseOptions> options)
    {
        this.options = options.Value;
        Provider = this.options.Provider;
        Dialect = SqlDialect.For(Provider);
        if (Provider == DatabaseProvider.Postgres)
        {
            npgsql = NpgsqlDataSource.Create(this.options.ConnectionString);
        }
        else
        {
            EnsureSqliteFolder(this.options.ConnectionString);
        }
    }

    public DatabaseProvider Provider { get; }

    /// <summary>The statement pieces of the configured provider (row locks, list parameters).</summary>
    public SqlDialect Dialect { get; }

    /// <summary>Where the data lives, for the start banner (no password).</summary>
    public string Describe()
    {
        if (Provider == DatabaseProvider.Sqlite)
        {
            var b = new SqliteConnectionStringBuilder(options.ConnectionString);
            return $"SQLite file {Path.GetFullPath(b.DataSource)}";
        }

        var n = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        return $"PostgreSQL {n.Host}:{n.Port}/{n.Database}";
    }

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        if (npgsql is not null)
        {
            return await npgsql.OpenConnectionAsync(ct);
        }

        var connection = new SqliteConnection(options.ConnectionString);
        await connection.OpenAsync(ct);
        using var pragma = connection.CreateCommand();
        // WAL lets readers go on while one writer commits; busy_timeout makes a second writer wait instead of failing.
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    /// <inheritdoc cref="SqlDialect.IsUniqueViolation"/>
    public static bool IsUniqueViolation(Exception ex) => SqlDialect.IsUniqueViolation(ex);

    /// <inheritdoc cref="SqlDialect.IsTransient"/>
    public static bool IsTransient(Exception ex) => SqlDialect.IsTransient(ex);

    public void Dispose() => npgsql?.Dispose();

    private static void EnsureSqliteFolder(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:")
        {
            return;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
    }
}
