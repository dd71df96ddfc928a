using AccidentRemote.Server.Cases;
using Dapper;

namespace AccidentRemote.Server.Documents;

/// <summary>
/// A case closes only when its newest document is the signed one: Documents' say on the close. A party that objected
/// to the version waiting for signatures has not signed it, so the case cannot close past the objection; the refusal says so.
/// </summary>
public sealed class SignedBeforeClose : ICaseGuard
{
    public async Task<string?> RefusalAsync(CaseTransaction tx, CancellationToken ct)
    {
        if (tx.Action != "close")
        {
            return null;
        }

        var latest = await tx.Connection.QuerySingleOrDefaultAsync<LatestRow>(
            "SELECT status, version FROM documents WHERE case_id = @caseId ORDER BY version DESC LIMIT 1", new { caseId = tx.CaseId }, tx.Transaction);
        if (latest?.Status == "signed")
        {
            return null;
        }

        var objecting = latest is null
            ? []
            : (await ObjectionStore.ForVersionAsync(tx.Connection, tx.Transaction, tx.CaseId, latest.Version)).Keys
                .Select(id => tx.Details.Parties.FirstOrDefault(p => p.Id == id)?.PartyNumber ?? 0).Where(n => n > 0).Order().ToList();
        return objecting.Count > 0
            ? ServerText.Get("Close.Objected", string.Join(", ", objecting))
            : ServerText.Get("Close.Unsigned");
    }

    private sealed class LatestRow
    {
        public string Status { get; set; } = "";

        public int Version { get; set; }
    }
}
