using AccidentRemote.Server.Data;
using Dapper;

namespace AccidentRemote.Server.Cases;

/// <summary>
/// What the first party (the reporter) manages on its case, each a case transaction by that party:
/// turning a joiner away and renewing the join code, both with a freshly drawn code and link secret.
/// </summary>
public sealed class FirstPartyChanges(CaseTransactions transactions)
{
    /// <summary>
    /// The first party turns a joiner away: the joiner's token stops working, the join code and
    /// link secret are renewed (the old ones may have leaked), and an event is recorded.
    /// Possible only before the officer has decided liability. A case transaction by the first party.
    /// </summary>
    public Task<CaseChange> RejectPartyAsync(Guid caseId, Guid byPartyId, Guid partyId, CancellationToken ct) =>
        WithNewJoinCodeAsync(caseId, byPartyId, async (t, join) =>
        {
            var by = t.Details.Parties.First(p => p.Id == byPartyId);
            var target = t.Details.Parties.FirstOrDefault(p => p.Id == partyId);
            if (target is null)
            {
                return new CaseChange.NotFound();
            }

            if (by.PartyNumber != 1 || target.Id == by.Id)
            {
                return new CaseChange.NotYours(null);
            }

            if (!CaseStatus.Joinable.Contains(t.Status))
            {
                return new CaseChange.WrongState(t.Status, ServerText.Get("Case.Reject.TooLate"));
            }

            await t.Connection.ExecuteAsync("UPDATE parties SET rejected_at = @now, token_hash = @dead WHERE id = @partyId",
                new { now = t.Now, dead = $"rejected:{partyId}", partyId }, t.Transaction);
            await SetJoinCodeAsync(t, join);
            // The turned-away party is the subject: its page is told (Signalling's observer).
            t.Record("party_rejected", $"party:{partyId} {target.Plate} turned away; join code renewed", subject: partyId);
            return null;
        }, ct);

    /// <summary>The first party renews the join code and link secret (after a lock, or when the old one leaked). A case transaction by the first party.</summary>
    public Task<CaseChange> RenewJoinAsync(Guid caseId, Guid byPartyId, CancellationToken ct) =>
        WithNewJoinCodeAsync(caseId, byPartyId, async (t, join) =>
        {
            if (t.Details.Parties.First(p => p.Id == byPartyId).PartyNumber != 1)
            {
                return new CaseChange.NotYours(null);
            }

            if (!CaseStatus.Joinable.Contains(t.Status) || t.Details.Parties.Count >= t.Details.Case.ExpectedParties)
            {
                return new CaseChange.WrongState(t.Status, ServerText.Get("Case.Renew.NotNeeded"));
            }

            await SetJoinCodeAsync(t, join);
            t.Record("join_renewed");
            return null;
        }, ct);

    /// <summary>
    /// Runs <paramref name="work"/> as the party's case transaction with a freshly drawn join code; a code or
    /// secret that is taken already (a unique violation) rolls back and the whole change runs again with a new draw.
    /// </summary>
    private async Task<CaseChange> WithNewJoinCodeAsync(Guid caseId, Guid byPartyId, Func<CaseTransaction, CaseStore.NewJoinCode, Task<CaseChange?>> work, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var join = CaseStore.NewJoin();
            try
            {
                return await transactions.RunAsync(caseId, new CaseActor.Party(byPartyId), null, t => work(t, join), ct);
            }
            catch (Exception ex) when (Db.IsUniqueViolation(ex) && attempt < 20)
            {
                // The new selector or secret is taken: draw again.
            }
        }
    }

    private static Task<int> SetJoinCodeAsync(CaseTransaction t, CaseStore.NewJoinCode join) =>
        t.Connection.ExecuteAsync("""
            UPDATE cases SET join_code = @Code, join_selector = @Selector, join_secret = @Secret, join_failures = 0, join_locked_at = NULL
            WHERE id = @id
            """, new { join.Code, join.Selector, join.Secret, id = t.CaseId }, t.Transaction);
}
