using System.Security.Claims;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Data;
using Dapper;

namespace AccidentRemote.Server.Audit;

/// <summary>One read of a driver's personal data by police or insurer staff, as a supervisor lists it.</summary>
public sealed record PersonalDataReadEntry(long Seq, DateTimeOffset At, string Actor, Guid? CaseId, string? Detail);

/// <summary>
/// Records every read of personal data (name, ID number, phone, policy, licence and registration
/// photos, the document that prints them) by staff in the hash-chained audit log, before the data
/// is returned: a read that cannot be recorded does not happen. Supervisors list them.
/// </summary>
public sealed class ReadAudit(Db db, TimeProvider clock)
{
    public const string Kind = "personal_data_read";

    /// <summary>Who read: <c>officer:{id}</c> (officers and supervisors) or <c>insurer:{code}:{id}</c>.</summary>
    public static string Actor(ClaimsPrincipal user)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown";
        return user.InsurerCode() is { } code ? $"insurer:{code}:{id}" : $"officer:{id}";
    }

    /// <summary>
    /// Appends one entry: <paramref name="what"/> names the fields or files (e.g. <c>name,idNumber,phone</c>),
    /// <paramref name="via"/> the read (e.g. <c>case</c>, <c>document.pdf</c>). The username is kept with it.
    /// </summary>
    public async Task RecordAsync(ClaimsPrincipal user, Guid caseId, string what, string via, CancellationToken ct)
    {
        var username = user.FindFirstValue(ClaimTypes.Name) ?? "";
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await AuditLog.AppendAsync(c, tx, db.Provider,
            new AuditEntry(Actor(user), Kind, caseId, $"read={what}; via={via}; user={username}"), clock.GetUtcNow());
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<PersonalDataReadEntry>> ListAsync(Guid? caseId, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<PersonalDataReadEntry>(new CommandDefinition("""
            SELECT seq, at, actor, case_id, detail FROM audit_log
            WHERE kind = @kind AND (@all OR case_id = @caseId)
            ORDER BY seq DESC LIMIT @limit
            """, new { kind = Kind, all = caseId is null, caseId = caseId ?? Guid.Empty, limit }, cancellationToken: ct));
        return rows.ToList();
    }
}
