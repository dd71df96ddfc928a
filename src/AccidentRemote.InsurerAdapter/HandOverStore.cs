using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace AccidentRemote.InsurerAdapter;

/// <summary>One claim the adapter has handed over: its report number and whether its ack was published.</summary>
internal sealed record HandOver(Guid MessageId, string ClaimReportNumber, DateTimeOffset HandedOverAt, DateTimeOffset? AckPublishedAt);

/// <summary>
/// The durable memory that makes redeliveries harmless: which message ids were handed over to the
/// insurer's system, with which report number, and whether the ack went out. A SQLite file,
/// written with synchronous=FULL so a row that was committed survives a crash or power loss.
/// </summary>
internal sealed class HandOverStore(IOptions<AdapterOptions> options, TimeProvider time)
{
    private readonly string connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = Path.GetFullPath(options.Value.StateFile),
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
    }.ToString();

    public async Task InitializeAsync(CancellationToken ct)
    {
        await using var db = await OpenAsync(ct);
        await using var create = db.CreateCommand();
        create.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS hand_overs (
                message_id          TEXT PRIMARY KEY,
                claim_report_number TEXT NOT NULL,
                handed_over_at      TEXT NOT NULL,
                ack_published_at    TEXT NULL
            );
            """;
        await create.ExecuteNonQueryAsync(ct);

        // Only fully answered claims are forgotten, and only long after the server could resend them.
        await using var prune = db.CreateCommand();
        prune.CommandText = "DELETE FROM hand_overs WHERE ack_published_at IS NOT NULL AND ack_published_at < $before";
        prune.Parameters.AddWithValue("$before", Text(time.GetUtcNow() - options.Value.StateRetention));
        await prune.ExecuteNonQueryAsync(ct);
    }

    public async Task<HandOver?> FindAsync(Guid messageId, CancellationToken ct)
    {
        await using var db = await OpenAsync(ct);
        await using var find = db.CreateCommand();
        find.CommandText = "SELECT claim_report_number, handed_over_at, ack_published_at FROM hand_overs WHERE message_id = $id";
        find.Parameters.AddWithValue("$id", messageId.ToString());
        await using var row = await find.ExecuteReaderAsync(ct);
        if (!await row.ReadAsync(ct))
        {
            return null;
        }

        return new HandOver(messageId, row.GetString(0), Parse(row.GetString(1)), row.IsDBNull(2) ? null : Parse(row.GetString(2)));
    }

    /// <summary>Remembers a hand-over. A row already there (a second adapter raced this one) wins: its number stays.</summary>
    public async Task<HandOver> RecordHandOverAsync(Guid messageId, string claimReportNumber, CancellationToken ct)
    {
        await using var db = await OpenAsync(ct);
        await using var insert = db.CreateCommand();
        insert.CommandText = """
            INSERT INTO hand_overs (message_id, claim_report_number, handed_over_at) VALUES ($id, $number, $at)
            ON CONFLICT (message_id) DO NOTHING
            """;
        insert.Parameters.AddWithValue("$id", messageId.ToString());
        insert.Parameters.AddWithValue("$number", claimReportNumber);
        insert.Parameters.AddWithValue("$at", Text(time.GetUtcNow()));
        await insert.ExecuteNonQueryAsync(ct);
        return await FindAsync(messageId, ct) ?? throw new InvalidOperationException("The hand-over row vanished right after it was written.");
    }

    public async Task MarkAckPublishedAsync(Guid messageId, CancellationToken ct)
    {
        await using var db = await OpenAsync(ct);
        await using var update = db.CreateCommand();
        update.CommandText = "UPDATE hand_overs SET ack_published_at = $at WHERE message_id = $id";
        update.Parameters.AddWithValue("$id", messageId.ToString());
        update.Parameters.AddWithValue("$at", Text(time.GetUtcNow()));
        await update.ExecuteNonQueryAsync(ct);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var db = new SqliteConnection(connectionString);
        await db.OpenAsync(ct);
        await using var pragma = db.CreateCommand();
        // Per connection: FULL makes every commit durable before it returns (WAL's default, NORMAL, may lose the last ones).
        pragma.CommandText = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;";
        await pragma.ExecuteNonQueryAsync(ct);
        return db;
    }

    // Fixed-width UTC ISO-8601: text order is time order, so the prune can compare text.
    private static string Text(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
