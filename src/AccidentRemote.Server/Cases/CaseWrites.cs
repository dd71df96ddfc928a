using System.Data.Common;
using Dapper;

namespace AccidentRemote.Server.Cases;

/// <summary>
/// The writes to the cases and parties tables that other features ask for inside their change of
/// the case: Cases owns those tables, so the SQL stays here.
/// </summary>
public static class CaseWrites
{
    /// <summary>The weather and the mediation result printed on the document, kept on the case row.</summary>
    public static Task SetDocumentFieldsAsync(CaseTransaction tx, string? weather, string? mediationResult) =>
        tx.Connection.ExecuteAsync("UPDATE cases SET weather = @weather, mediation_result = @mediationResult WHERE id = @caseId",
            new { weather, mediationResult, caseId = tx.CaseId }, tx.Transaction);

    /// <summary>A party's name and ID number, for the document.</summary>
    public static Task SetPartyIdentityAsync(DbConnection c, DbTransaction tx, Guid partyId, string? name, string? idNumber) =>
        c.ExecuteAsync("UPDATE parties SET name = @name, id_number = @idNumber WHERE id = @partyId", new { name, idNumber, partyId }, tx);

    /// <summary>The insurer a party declares for its own vehicle.</summary>
    public static Task SetPartyInsurerAsync(DbConnection c, DbTransaction tx, Guid caseId, Guid partyId, string code) =>
        c.ExecuteAsync("UPDATE parties SET insurer_code = @code WHERE id = @partyId AND case_id = @caseId", new { code, partyId, caseId }, tx);

    /// <summary>
    /// Erases a party's personal fields (the phone, a required column, becomes an empty string) and marks
    /// when: for Privacy's retention purge and early erasure, in its transaction.
    /// </summary>
    public static Task RemovePersonalFieldsAsync(DbConnection c, DbTransaction tx, Guid partyId, DateTimeOffset now) =>
        c.ExecuteAsync("""
            UPDATE parties SET name = NULL, id_number = NULL, phone = '', policy_number = NULL,
                device_latitude = NULL, device_longitude = NULL, satisfaction_comment = NULL, personal_data_removed_at = @now
            WHERE id = @partyId
            """, new { now, partyId }, tx);
}
