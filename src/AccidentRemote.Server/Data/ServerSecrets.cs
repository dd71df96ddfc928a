using System.Collections.Concurrent;
using System.Data.Common;
using System.Security.Cryptography;
using Dapper;

namespace AccidentRemote.Server.Data;

/// <summary>
/// Random keys the server creates on first use and keeps in the database, so that every node
/// signs and checks with the same key and a restart does not invalidate what was handed out.
/// There is no default key in configuration to forget to change.
/// </summary>
public sealed class ServerSecrets(Db db, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, byte[]> cache = new();

    /// <summary>
    /// The key, made on first use. Pass the caller's connection and transaction when called inside
    /// one: a second connection would wait on the caller's own write lock (SQLite).
    /// </summary>
    public async Task<byte[]> GetAsync(string name, CancellationToken ct, DbConnection? connection = null, DbTransaction? tx = null)
    {
        if (cache.TryGetValue(name, out var known))
        {
            return known;
        }

        var own = connection is null ? await db.OpenAsync(ct) : null;
        var c = connection ?? own!;
        try
        {
            await c.ExecuteAsync("""
                INSERT INTO server_secrets (name, value, created_at) VALUES (@name, @value, @now)
                ON CONFLICT (name) DO NOTHING
                """, new { name, value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), now = clock.GetUtcNow() }, tx);
            var stored = Convert.FromBase64String(await c.ExecuteScalarAsync<string>("SELECT value FROM server_secrets WHERE name = @name", new { name }, tx) ?? "");
            return cache.GetOrAdd(name, stored);
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync();
            }
        }
    }
}
