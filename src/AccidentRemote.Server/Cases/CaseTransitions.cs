using System.Globalization;
using AccidentRemote.Server.Data;
using Dapper;

namespace AccidentRemote.Server.Cases;

/// <summary>
/// Every change of a case's state and every party's own change to it, each one
/// <see cref="CaseTransaction"/>: who may act and from which state is decided there, not here.
/// </summary>
public sealed class CaseTransitions(CaseTransactions transactions, Db db)
{
    /// <summary>The work of a change inside its transaction; return a refusal to roll back.</summary>
    public delegate Task<CaseChange?> Change(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, CaseDetails details, DateTimeOffset now);

    /// <summary>An officer takes a waiting case; the first of two at the same moment wins.</summary>
    public async Task<CaseChange> AcceptAsync(Guid caseId, Guid officerId, CancellationToken ct)
    {
        var result = await transactions.RunAsync(caseId, new CaseActor.Officer(officerId), "accept", async t =>
        {
            if (await t.MoveToAsync(CaseStateMachine.For("accept").To, kind: "accepted") is { } lost)
            {
                return lost;
            }

            await t.Connection.ExecuteAsync("UPDATE cases SET officer_id = @officerId, answered_at = @now WHERE id = @caseId",
                new { officerId, now = t.Now, caseId }, t.Transaction);
            return null;
        }, ct);
        if (result is not CaseChange.WrongState)
        {
            return result;
        }

        // Refused: say who has it now, read after the refusal.
        CaseDetails? current;
        await using (var c = await db.OpenAsync(ct))
        {
            current = await CaseReads.LoadAsync(c, null, caseId);
        }

        return current is null
            ? new CaseChange.NotFound()
            : new CaseChange.WrongState(current.Case.Status, current.Case.OfficerId == officerId
                ? ServerText.Get("Case.Accept.Already")
                : current.Case.OfficerId is not null
                    ? ServerText.Get("Case.Accept.Taken")
                    : CaseStateMachine.Refusal("accept", current.Case.Status)!);
    }

    public Task<CaseChange> RecordVehiclesMovedAsync(Guid caseId, Guid officerId, bool isSupervisor, CancellationToken ct) =>
        OfficerTransitionAsync(caseId, officerId, isSupervisor, "vehicles-moved", async (c, tx, details, now) =>
        {
            await c.ExecuteAsync("UPDATE cases SET vehicles_moved_at = @now WHERE id = @caseId", new { now, caseId }, tx);
            return null;
        }, null, ct);

    /// <summary>Records the officer's liability decision for every party at once, checked for consistency.</summary>
    public Task<CaseChange> RecordLiabilityAsync(Guid caseId, Guid officerId, bool isSupervisor, LiabilityDecision decision, CancellationToken ct) =>
        OfficerTransitionAsync(caseId, officerId, isSupervisor, "liability", async (c, tx, details, now) =>
        {
            if (LiabilityRules.Check(details, decision) is { } problem)
            {
                return new CaseChange.Invalid(problem.Field, problem.Message);
            }

            foreach (var (partyId, liability) in decision.Parties)
            {
                await c.ExecuteAsync("UPDATE parties SET liability = @liability WHERE id = @partyId AND case_id = @caseId",
                    new { liability, partyId, caseId }, tx);
            }

            await c.ExecuteAsync("UPDATE cases SET liability_scenario = @scenario, facts = @facts WHERE id = @caseId",
                new { scenario = decision.Scenario, facts = decision.Facts, caseId }, tx);
            return null;
        }, $"{decision.Scenario}: " + string.Join(",", decision.Parties.Select(p => $"{p.PartyId}={p.Liability}")), ct);

    /// <summary>Sends the case to an on-scene officer: injuries found, a party disputes, fog or darkness.</summary>
    public Task<CaseChange> EscalateAsync(Guid caseId, Guid officerId, bool isSupervisor, string reason, string? note, CancellationToken ct) =>
        OfficerTransitionAsync(caseId, officerId, isSupervisor, "escalate", async (c, tx, details, now) =>
        {
            await c.ExecuteAsync($"UPDATE cases SET escalation_reason = @reason, escalated_at = @now, {CaseReads.ClearJoin} WHERE id = @caseId",
                new { reason, now, caseId }, tx);
            return null;
        }, note is null ? reason : $"{reason}: {note}", ct);

    /// <summary>The driver left or does not answer.</summary>
    public Task<CaseChange> AbandonAsync(Guid caseId, Guid officerId, bool isSupervisor, string reason, CancellationToken ct) =>
        OfficerTransitionAsync(caseId, officerId, isSupervisor, "abandon", async (c, tx, details, now) =>
        {
            await c.ExecuteAsync($"UPDATE cases SET {CaseReads.ClearJoin}, abandon_reason = @reason WHERE id = @caseId", new { caseId, reason }, tx);
            return null;
        }, reason, ct);

    /// <summary>
    /// Closes the case. A feature that must agree refuses at the begin (Documents: the document is
    /// signed); Claims puts one claim per insured party in the outbox in the same transaction (its commit hook).
    /// </summary>
    public Task<CaseChange> CloseAsync(Guid caseId, Guid officerId, bool isSupervisor, CancellationToken ct) =>
        OfficerTransitionAsync(caseId, officerId, isSupervisor, "close", async (c, tx, details, now) =>
        {
            if (details.Parties.Count < details.Case.ExpectedParties)
            {
                return new CaseChange.WrongState(details.Case.Status,
                    ServerText.Get("Case.Close.NotJoined", details.Parties.Count, details.Case.ExpectedParties, details.Case.JoinCode));
            }

            await c.ExecuteAsync($"UPDATE cases SET closed_at = @now, {CaseReads.ClearJoin} WHERE id = @caseId", new { now, caseId }, tx);
            return null;
        }, null, ct);

    /// <summary>
    /// Abandons, as <c>system</c>, the cases still queued (nobody answered) that were reported before <paramref name="cutoff"/>:
    /// through the state machine's <c>abandon</c>, one transaction per case, each with its event and audit entry.
    /// Returns the cases that moved (a case accepted at the same moment stays with its officer).
    /// </summary>
    public async Task<IReadOnlyList<CaseDetails>> ExpireUnansweredAsync(DateTimeOffset cutoff, string reason, int max, CancellationToken ct)
    {
        if (CaseStateMachine.Refusal("abandon", CaseStatus.Queued) is { } refusal)
        {
            throw new InvalidOperationException(refusal);
        }

        var expired = new List<CaseDetails>();
        List<Guid> due;
        await using (var c = await db.OpenAsync(ct))
        {
            due = (await c.QueryAsync<Guid>(
                "SELECT id FROM cases WHERE status = @queued AND officer_id IS NULL AND reported_at < @cutoff ORDER BY reported_at LIMIT @max",
                new { queued = CaseStatus.Queued, cutoff, max })).ToList();
        }

        foreach (var caseId in due)
        {
            var result = await transactions.RunAsync(caseId, CaseActor.System.Instance, "abandon", async t =>
            {
                if (t.Status != CaseStatus.Queued || t.Details.Case.OfficerId is not null)
                {
                    return new CaseChange.WrongState(t.Status, ServerText.Get("Case.Abandon.Answered"));
                }

                await t.Connection.ExecuteAsync($"UPDATE cases SET {CaseReads.ClearJoin}, abandon_reason = @reason WHERE id = @caseId",
                    new { reason, caseId }, t.Transaction);
                return await t.MoveToAsync(CaseStatus.Abandoned, reason);
            }, ct);
            if (result is CaseChange.Done done)
            {
                expired.Add(done.Case);
            }
        }

        return expired;
    }

    /// <summary>An officer's transition, with the work of the transition (and of the caller, such as issuing the document).</summary>
    public Task<CaseChange> OfficerTransitionAsync(Guid caseId, Guid officerId, bool isSupervisor, string action, Change change, string? detail, CancellationToken ct) =>
        transactions.RunAsync(caseId, new CaseActor.Officer(officerId, isSupervisor), action, async t =>
            await change(t.Connection, t.Transaction, t.Details, t.Now) ?? await t.MoveToAsync(CaseStateMachine.For(action).To, detail), ct);

    /// <summary>
    /// A party changes something of its own (its details for the document). While the parties
    /// are signing, that voids the signatures: the case goes back to liability_determined.
    /// </summary>
    public Task<CaseChange> PartyChangeAsync(Guid caseId, Guid partyId, Change change, string kind, CancellationToken ct) =>
        transactions.RunAsync(caseId, new CaseActor.Party(partyId), null, async t =>
        {
            if (await change(t.Connection, t.Transaction, t.Details, t.Now) is { } refused)
            {
                return refused;
            }

            t.Record(kind);
            return t.Status == CaseStatus.AwaitingSignatures
                ? await t.MoveToAsync(CaseStatus.LiabilityDetermined, "details changed after the document was issued", kind: "signatures_voided")
                : null;
        }, ct);

    /// <summary>A driver says its car is off the road. Kept once (the first time) with an event row.</summary>
    public Task<CaseChange> ConfirmMovedAsync(Guid caseId, Guid partyId, CancellationToken ct) =>
        transactions.RunAsync(caseId, new CaseActor.Party(partyId), null, async t =>
        {
            if (t.Status is not (CaseStatus.InCall or CaseStatus.VehiclesMoved))
            {
                return new CaseChange.WrongState(t.Status, ServerText.Get("Case.Moved.NotAsked"));
            }

            await t.Connection.ExecuteAsync("UPDATE parties SET moved_confirmed_at = @now WHERE id = @partyId AND moved_confirmed_at IS NULL",
                new { now = t.Now, partyId }, t.Transaction);
            t.Record("party_moved");
            return null;
        }, ct);

    /// <summary>A party rates a closed case, once.</summary>
    public Task<CaseChange> RateAsync(Guid caseId, Guid partyId, int rating, string? comment, CancellationToken ct) =>
        transactions.RunAsync(caseId, new CaseActor.Party(partyId), null, async t =>
        {
            if (t.Status != CaseStatus.Closed)
            {
                return new CaseChange.WrongState(t.Status, ServerText.Get("Case.Rate.NotClosed"));
            }

            var changed = await t.Connection.ExecuteAsync("""
                UPDATE parties SET satisfaction_rating = @rating, satisfaction_comment = @comment, rated_at = @now
                WHERE id = @partyId AND case_id = @caseId AND satisfaction_rating IS NULL
                """, new { rating, comment, now = t.Now, partyId, caseId }, t.Transaction);
            if (changed == 0)
            {
                return new CaseChange.WrongState(t.Status, ServerText.Get("Case.Rate.Already"));
            }

            t.Record("rated", rating.ToString(CultureInfo.InvariantCulture));
            return null;
        }, ct);

    /// <summary>Records something that happened in a case (an instruction) with who and when; moves no state. <paramref name="subject"/> goes to the observers.</summary>
    public Task<CaseChange> RecordAsync(Guid caseId, CaseActor actor, string kind, string? detail, CancellationToken ct, object? subject = null) =>
        transactions.RunAsync(caseId, actor, null, t =>
        {
            t.Record(kind, detail, subject: subject);
            return Task.FromResult<CaseChange?>(null);
        }, ct);
}
