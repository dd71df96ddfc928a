using AccidentRemote.Server.Cases;

namespace AccidentRemote.Server.Claims;

/// <summary>
/// Closing a case puts one claim per insured party in the outbox, in the closing transaction
/// (with the case as it closes: its close time from the database, not a mutated row), and wakes
/// the dispatcher once that transaction has committed.
/// </summary>
public sealed class ClaimsOnClose(ClaimOutbox outbox) : ICaseCommitHook
{
    public async Task<CaseChange?> BeforeCommitAsync(CaseTransaction tx, CaseDetails after, CancellationToken ct)
    {
        if (tx.Action != "close")
        {
            return null;
        }

        await outbox.EnqueueAsync(tx.Connection, tx.Transaction, after, tx.Now, ct);
        tx.AfterCommit(() =>
        {
            outbox.NotifyDispatcher();
            return Task.CompletedTask;
        });
        return null;
    }
}
