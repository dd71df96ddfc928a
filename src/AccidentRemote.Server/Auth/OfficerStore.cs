using System.Data.Common;
using Dapper;
using AccidentRemote.Server.Data;

namespace AccidentRemote.Server.Auth;

public sealed class Officer
{
    public Guid Id { get; set; }

    public string Username { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public string Role { get; set; } = "";

    public string PasswordHash { get; set; } = "";

    /// <summary>For insurer staff: the one insurer whose claims they see.</summary>
    public string? InsurerCode { get; set; }

    /// <summary>When a supervisor disabled the account; null while it may sign in.</summary>
    public DateTimeOffset? DisabledAt { get; set; }
}

public static class Roles
{
    public const string Officer = "officer";
    public const string Supervisor = "supervisor";
    public const string Party = "party";
    public const string Insurer = "insurer";

    public static bool IsStaffRole(string role) => role is Officer or Supervisor;
}

/// <summary>Officers, their passwords and sign-in sessions.</summary>
public sealed class OfficerStore(Db db, TimeProvider clock)
{
    public async Task<int> CountAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM officers");
    }

    public async Task<Officer?> FindByUsernameAsync(string username, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<Officer>(
            "SELECT id, username, display_name, role, password_hash, insurer_code, disabled_at FROM officers WHERE username = @username",
            new { username });
    }

    /// <summary>
    /// Creates an officer, or resets the password of an existing one. A reset ends every session the
    /// officer had (a password is reset because it may be known to someone else). A disabled account stays disabled.
    /// The badge number (警号) is printed on the documents the officer issues; null keeps the one recorded.
    /// </summary>
    public async Task CreateOrResetAsync(string username, string displayName, string role, string password, CancellationToken ct, string? insurerCode = null, string? badgeNumber = null)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await c.ExecuteAsync("""
            INSERT INTO officers (id, username, display_name, role, password_hash, created_at, insurer_code, badge_number)
            VALUES (@id, @username, @displayName, @role, @hash, @now, @insurerCode, @badgeNumber)
            ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash,
                display_name = excluded.display_name, role = excluded.role, insurer_code = excluded.insurer_code,
                badge_number = COALESCE(excluded.badge_number, officers.badge_number)
            """,
            new { id = Guid.NewGuid(), username, displayName, role, hash = Secrets.HashPassword(password), now = clock.GetUtcNow(), insurerCode, badgeNumber }, tx);
        await c.ExecuteAsync(EndSessionsOf, new { username }, tx);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Disables the account (it cannot sign in; its sessions are deleted, so they stop working at the next
    /// request) or enables it again. False when no account has this username.
    /// </summary>
    public async Task<bool> SetDisabledAsync(string username, bool disabled, string actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var found = await c.ExecuteAsync(
            "UPDATE officers SET disabled_at = @at WHERE username = @username",
            new { username, at = disabled ? now : (DateTimeOffset?)null }, tx) > 0;
        if (!found)
        {
            return false;
        }

        if (disabled)
        {
            await c.ExecuteAsync(EndSessionsOf, new { username }, tx);
        }

        await AuditLog.AppendAsync(c, tx, db.Provider, new AuditEntry(actor, disabled ? "officer.disabled" : "officer.enabled", null, username), now);

        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Records an officer's badge number (警号), audited. False when no account has this username.</summary>
    public async Task<bool> SetBadgeNumberAsync(string username, string badgeNumber, string actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        if (await c.ExecuteAsync("UPDATE officers SET badge_number = @badgeNumber WHERE username = @username", new { username, badgeNumber }, tx) == 0)
        {
            return false;
        }

        await AuditLog.AppendAsync(c, tx, db.Provider, new AuditEntry(actor, "officer.badge", null, $"{username} {badgeNumber}"), now);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Sessions that are still valid, for one officer (tests and the supervisor's view).</summary>
    public async Task<int> ActiveSessionCountAsync(string username, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<int>("""
            SELECT COUNT(*) FROM officer_sessions s JOIN officers o ON o.id = s.officer_id
            WHERE o.username = @username AND s.expires_at > @now
            """, new { username, now = clock.GetUtcNow() });
    }

    /// <summary>The hashes of every session that still works (not expired, account not disabled).</summary>
    public async Task<HashSet<string>> ValidSessionHashesAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var hashes = await c.QueryAsync<string>("""
            SELECT s.token_hash FROM officer_sessions s JOIN officers o ON o.id = s.officer_id
            WHERE s.expires_at > @now AND o.disabled_at IS NULL
            """, new { now = clock.GetUtcNow() });
        return hashes.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Deletes the sign-ins that expired before <paramref name="cutoff"/> and returns their token hashes
    /// (for the audit entry): Privacy's retention purge, in its transaction.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RemoveSessionsExpiredBeforeAsync(DbConnection c, DbTransaction tx, DateTimeOffset cutoff)
    {
        var hashes = (await c.QueryAsync<string>(
            "SELECT token_hash FROM officer_sessions WHERE expires_at < @cutoff ORDER BY token_hash", new { cutoff }, tx)).ToList();
        if (hashes.Count > 0)
        {
            await c.ExecuteAsync("DELETE FROM officer_sessions WHERE expires_at < @cutoff", new { cutoff }, tx);
        }

        return hashes;
    }

    private const string EndSessionsOf = "DELETE FROM officer_sessions WHERE officer_id IN (SELECT id FROM officers WHERE username = @username)";

    public async Task<(string Token, DateTimeOffset ExpiresAt)> StartSessionAsync(Guid officerId, TimeSpan lifetime, CancellationToken ct)
    {
        var token = Secrets.NewToken(Secrets.OfficerTokenPrefix);
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync("""
            INSERT INTO officer_sessions (token_hash, officer_id, created_at, expires_at)
            VALUES (@hash, @officerId, @now, @expires)
            """,
            new { hash = Secrets.HashToken(token), officerId, now, expires = now + lifetime });
        return (token, now + lifetime);
    }

    public async Task<Officer?> FindBySessionAsync(string token, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<Officer>("""
            SELECT o.id, o.username, o.display_name, o.role, o.password_hash, o.insurer_code, o.disabled_at
            FROM officer_sessions s JOIN officers o ON o.id = s.officer_id
            WHERE s.token_hash = @hash AND s.expires_at > @now AND o.disabled_at IS NULL
            """,
            new { hash = Secrets.HashToken(token), now = clock.GetUtcNow() });
    }

    public async Task EndSessionAsync(string token, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync("DELETE FROM officer_sessions WHERE token_hash = @hash", new { hash = Secrets.HashToken(token) });
    }

    /// <summary>A 警号 as police units give them: 4 to 10 digits or capital letters.</summary>
    public static bool IsBadgeNumber(string? value) =>
        value is { Length: >= 4 and <= 10 } && value.All(c => c is (>= '0' and <= '9') or (>= 'A' and <= 'Z'));
}
