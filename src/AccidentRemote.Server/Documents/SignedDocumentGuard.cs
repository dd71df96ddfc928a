using AccidentRemote.Server.Cases;

namespace AccidentRemote.Server.Documents;

/// <summary>
/// Documents' say in closing a case: it closes only when the newest version of its document is the one
/// every party signed. Checked when a "close" case transaction begins.
/// </summary>
public sealed class SignedDocumentGuard : ICaseGuard
{
    public async Task<string?> RefusalAsync(CaseTransaction tx, CancellationToken ct)
    {
        if (tx.Action != "close")
        {
            return null;
        }

        var latest = await DocumentStore.LatestAsync(tx.Connection, tx.Transaction, tx.CaseId);
        return latest?.Status == DocumentStore.SignedStatus
            ? null
            : "Every party must sign the accident document before the case is closed; the signed document is made when the last party signs.";
    }
}
