using System.Data.Common;
using AccidentRemote.Server.Data;
using Dapper;

namespace AccidentRemote.Server.Cases;

/// <summary>
/// Writes a case's timeline row and its entry in the hash-chained audit log, in the caller's
/// transaction. Only <see cref="CaseTransaction.CommitAsync"/> calls it: every other writer, in Cases
/// or not, records through <see cref="CaseTransaction.Record"/> (an architecture test holds this).
/// </summary>
internal static class CaseEvents
{
    public static async Task WriteAsync(
        DbConnection c, DbTransaction tx, DatabaseProvider provider, Guid caseId, string kind, string actor, string? detail, string? auditDetail, DateTimeOffset at)
    {
        await c.ExecuteAsync(
            "INSERT INTO case_events (id, case_id, kind, actor, at, detail) VALUES (@id, @caseId, @kind, @actor, @at, @detail)",
            new { id = Guid.NewGuid(), caseId, kind, actor, at, detail }, tx);
        await AuditLog.AppendAsync(c, tx, provider, new AuditEntry(actor, kind, caseId, auditDetail), at);
    }
}

/// <summary>Reads a case and its parties (not those turned away), the shape every change starts from.</summary>
internal static class CaseReads
{
    public const string CaseColumns = """
        id, case_number, status, join_code, expected_parties, accident_time, latitude, longitude, address,
        anyone_injured, vehicles_drivable, hazardous_goods, escalation_reason, officer_id,
        reported_at, answered_at, vehicles_moved_at, closed_at, escalated_at, liability_scenario, facts, weather, mediation_result,
        join_selector, join_secret, join_failures, join_locked_at, report_traceparent
        """;

    /// <summary>Every place that ends a case's join code ends its selector and link secret with it.</summary>
    public const string ClearJoin = "join_code = NULL, join_selector = NULL, join_secret = NULL, join_failures = 0, join_locked_at = NULL";

    public const string PartyColumns = """
        id, case_id, party_number, phone, plate, vehicle_type, insurer_code, policy_number, liability, joined_at, other_plate, name, id_number, device_latitude, device_longitude,
        consent_version, consent_language, consented_at
        """;

    public static async Task<CaseDetails?> LoadAsync(DbConnection c, DbTransaction? tx, Guid id)
    {
        var row = await c.QuerySingleOrDefaultAsync<CaseRow>($"SELECT {CaseColumns}, abandon_reason FROM cases WHERE id = @id", new { id }, tx);
        if (row is null)
        {
            return null;
        }

        var parties = await c.QueryAsync<PartyRow>(
            $"SELECT {PartyColumns} FROM parties WHERE case_id = @id AND rejected_at IS NULL ORDER BY party_number", new { id }, tx);
        return new CaseDetails(row, parties.ToList());
    }
}
