using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AccidentRemote.Server.Data;

/// <summary>
/// The few statement pieces where PostgreSQL and SQLite differ, so that every query is written
/// once in the SQL they share. Statements ask <see cref="Db.Dialect"/>; schema differences are
/// <see cref="Migrator"/>'s business (type tokens, per-provider migration files).
/// </summary>
public abstract class SqlDialect
{
    public static readonly SqlDialect Postgres = new PostgresDialect();
    public static readonly SqlDialect Sqlite = new SqliteDialect();

    public static SqlDialect For(DatabaseProvider provider) => provider == DatabaseProvider.Postgres ? Postgres : Sqlite;

    /// <summary>
    /// <c>column</c> is one of the values of a list parameter: Dapper passes a list to Npgsql as one
    /// array parameter and expands it into <c>(@p1, @p2, ...)</c> for SQLite.
    /// </summary>
    public abstract string InList(string column, string parameter);

    /// <summary>
    /// Serialises the transactions that take the same key until each commits or rolls back.
    /// SQLite needs nothing: it has one write transaction at a time already.
    /// </summary>
    public abstract Task LockAsync(DbConnection c, DbTransaction tx, long key);

    /// <inheritdoc cref="LockAsync(DbConnection, DbTransaction, long)"/>
    public abstract Task LockAsync(DbConnection c, DbTransaction tx, string key);

    /// <summary>True when an exception means a unique constraint was violated.</summary>
    public static bool IsUniqueViolation(Exception ex) => ex switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sq => sq.SqliteErrorCode == 19 && sq.Message.Contains("UNIQUE", StringComparison.Ordinal),
        _ => false,
    };

    /// <summary>
    /// True when an exception means the database could not be reached or was briefly busy (a restart,
    /// a network cut, a SQLite writer holding the file): trying again later may succeed.
    /// </summary>
    public static bool IsTransient(Exception ex) =>
        ex is NpgsqlException { IsTransient: true }
        || ex.InnerException is System.Net.Sockets.SocketException or TimeoutException
        || ex is SqliteException { SqliteErrorCode: 5 or 6 }; // busy, locked

    private sealed class PostgresDialect : SqlDialect
    {
        public override string InList(string column, string parameter) => $"{column} = ANY(@{parameter})";

        public override Task LockAsync(DbConnection c, DbTransaction tx, long key) =>
            c.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key }, tx);

        public override Task LockAsync(DbConnection c, DbTransaction tx, string key) =>
            c.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtext(@key))", new { key }, tx);
    }

    private sealed class SqliteDialect : SqlDialect
    {
        public override string InList(string column, string parameter) => $"{column} IN @{parameter}";

        public override Task LockAsync(DbConnection c, DbTransaction tx, long key) => Task.CompletedTask;

        public override Task LockAsync(DbConnection c, DbTransaction tx, string key) => Task.CompletedTask;
    }
}
