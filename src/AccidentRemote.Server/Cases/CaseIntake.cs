using AccidentRemote.Server.Data;

namespace AccidentRemote.Server.Cases;

/// <summary>
/// The case transactions of intake that are not a join: a report (a transaction for a case being
/// created, which may also record on the open case it is linked to as a possible duplicate) and the
/// decisions on a possible duplicate (a transaction on the existing case that also records on the
/// report it merges or keeps apart). The SQL is <see cref="CaseStore"/>'s; the events, and the pages
/// told after the commit, are the transaction's (<see cref="CaseTransaction.Record"/>, the observers).
/// </summary>
public sealed class CaseIntake(CaseStore store, CaseTransactions transactions)
{
    public async Task<CaseStore.Created> ReportAsync(CaseStore.NewReport report, CancellationToken ct)
    {
        var escalated = report.EscalationReason is not null;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                (CaseRow Case, PartyRow Party, string PartyToken)? inserted = null;
                await using var t = await transactions.BeginNewAsync(CaseActor.System.Instance, async (c, tx, now) =>
                {
                    var made = await CaseStore.InsertReportAsync(c, tx, report, now);
                    inserted = made;
                    return made.Case.Id;
                }, ct);
                var (row, party, token) = inserted!.Value;
                t.Record("reported", by: new CaseActor.Party(party.Id));
                // Triage decided at once: the case goes to the officers' queue, or to an on-scene officer.
                t.Record(escalated ? "escalated" : "queued", report.EscalationReason);
                // Never merged here: a report that fits an open case is linked to it as a possible duplicate.
                var duplicate = escalated ? null : await CaseStore.LinkPossibleDuplicateAsync(t, row, party, report);
                if (await t.CommitAsync(ct) is not CaseChange.Done)
                {
                    throw new InvalidOperationException("A commit hook refused a new report; no hook may refuse one.");
                }

                return new CaseStore.Created(row, party, token, Duplicate: duplicate);
            }
            catch (Exception ex) when (Db.IsUniqueViolation(ex) && attempt < 20)
            {
                // Case number or join code collided with an existing one: draw again.
            }
        }
    }

    /// <summary>The asked party of the existing case says yes (merge) or no (keep apart). No other token may answer.</summary>
    public Task<DuplicateDecision> AnswerDuplicateAsync(Guid caseId, Guid partyId, Guid linkId, bool confirm, CancellationToken ct) =>
        DecideAsync(linkId, new CaseActor.Party(partyId), confirm, (link, existing, duplicate) =>
            link.CaseId != caseId || link.AskedPartyId != partyId
                ? new DuplicateDecision.NotFound()
                : confirm && duplicate.Case.Status != CaseStatus.Queued
                    ? new DuplicateDecision.Refused(ServerText.Get("Duplicate.WithOfficer", duplicate.Case.CaseNumber))
                    : null, ct);

    /// <summary>An officer merges the two reports or keeps them apart, with both in view.</summary>
    public Task<DuplicateDecision> OfficerDecideDuplicateAsync(Guid caseId, Guid linkId, Guid officerId, bool isSupervisor, bool merge, CancellationToken ct) =>
        DecideAsync(linkId, new CaseActor.Officer(officerId, isSupervisor), merge, (link, existing, duplicate) =>
            link.CaseId != caseId && link.DuplicateCaseId != caseId
                ? new DuplicateDecision.NotFound()
                : !isSupervisor && new[] { existing.Case.OfficerId, duplicate.Case.OfficerId }.Any(o => o is not null && o != officerId)
                    ? new DuplicateDecision.Forbidden(ServerText.Get("Duplicate.OtherOfficer"))
                    : null, ct);

    /// <summary>
    /// One transaction on the existing case, begun by the server: who may decide is the duplicates'
    /// own rule over both cases (<paramref name="authorize"/>), not <see cref="CaseAccessRule.MayAct"/>
    /// on one; every record names <paramref name="actor"/>, who decided.
    /// </summary>
    private async Task<DuplicateDecision> DecideAsync(Guid linkId, CaseActor actor, bool merge, CaseStore.Authorize authorize, CancellationToken ct)
    {
        if (await store.LinkedCaseAsync(linkId, ct) is not { } existingId)
        {
            return new DuplicateDecision.NotFound();
        }

        var begin = await transactions.BeginAsync(existingId, CaseActor.System.Instance, null, ct);
        if (begin.Refused)
        {
            return new DuplicateDecision.NotFound();
        }

        await using var t = begin.Transaction;
        var decision = await CaseStore.DecideAsync(t, linkId, actor, merge, authorize);
        if (decision is not (DuplicateDecision.Merged or DuplicateDecision.KeptApart))
        {
            return decision;
        }

        return await t.CommitAsync(ct) switch
        {
            CaseChange.Done => decision,
            CaseChange.WrongState s => new DuplicateDecision.Refused(s.Reason),
            _ => new DuplicateDecision.Refused(ServerText.Get("Duplicate.NotSaved")),
        };
    }
}
