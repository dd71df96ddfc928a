using AccidentRemote.Server.Cases;
using Dapper;

namespace AccidentRemote.Server.Documents;

/// <summary>A case closes only when its newest document is the signed one: Documents' say on the close.</summary>
public sealed class SignedBeforeClose : ICaseGuard
{
    public async Task<string?> RefusalAsync(CaseTransaction tx, CancellationToken ct)
    {
        if (tx.Action != "close")
        {
            return null;
        }

        var latest = await tx.Connection.QuerySingleOrDefaultAsync<string>(
            "SELECT status FROM documents WHERE case_id = @caseId ORDER BY version DESC LIMIT 1", new { caseId = tx.CaseId }, tx.Transaction);
        return latest == "signed"
            ? null
            : "Every party must sign the accident document before the case is closed; the signed document is made when the last party signs.";
    }
}
