using System.ComponentModel.DataAnnotations;

namespace AccidentRemote.Server.Data;

/// <summary>Which database the server uses. Section <c>Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary><c>Sqlite</c> (embedded default, a file) or <c>Postgres</c> (production).</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>ADO.NET connection string for the provider.</summary>
    [Required(ErrorMessage = "Database:ConnectionString is required, e.g. 'Data Source=data/accidentremote.db' for Sqlite or 'Host=127.0.0.1;Username=...;Password=...;Database=accidentremote' for Postgres.")]
    public string ConnectionString { get; set; } = "Data Source=data/accidentremote.db";
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}
