using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Documents;
using AccidentRemote.Server.Evidence;

namespace AccidentRemote.Server.Signalling;

/// <summary>
/// The one place that decides what the pages are told after a case transaction committed, from what
/// it recorded: the case's new state to its parties and officer, the queue to the officers when a
/// case enters or leaves it (or a party joins or is turned away), new evidence and a party's "moved" to the officer, an instruction to its
/// party. Features record; none of them calls the notifier for a case change.
/// </summary>
public sealed class CasePagesObserver(ICaseNotifier pages) : ICaseObserver
{
    /// <summary>Actions that take a case out of the queue (or may): the officers' queue is pushed again.</summary>
    private static readonly HashSet<string> QueueActions = ["accept", "escalate", "abandon"];

    /// <summary>Records that tell only the officer (or one party), not the case's state to everyone.</summary>
    private static readonly HashSet<string> Quiet = ["evidence_added", "party_moved", "instruction", "rated", "join_locked"];

    public async Task CommittedAsync(CaseCommitted committed, CancellationToken ct)
    {
        var caseId = committed.Case.Case.Id;
        foreach (var record in committed.Records)
        {
            switch (record.Kind, record.Subject)
            {
                case ("evidence_added", EvidenceRow row):
                    await pages.EvidenceAddedAsync(caseId, row.Id, row.Kind, row.PartyId);
                    break;
                case ("party_moved", _) when committed.Actor is CaseActor.Party party:
                    await pages.PartyMovedAsync(caseId, party.PartyId);
                    break;
                case ("party_rejected", Guid rejected):
                    await pages.PartyRejectedAsync(caseId, rejected);
                    break;
                case ("instruction", InstructionRequest instruction):
                    await pages.InstructionAsync(caseId, instruction.PartyId, instruction.Kind!, instruction.Angle);
                    break;
            }
        }

        if (TellsTheState(committed))
        {
            await pages.CaseChangedAsync(caseId, committed.Case.Case.Status);
        }

        // The queue shows how many parties have joined: a join or a turn-away changes it.
        if ((committed.Action is { } action && QueueActions.Contains(action)) || committed.Records.Any(r => r.Kind is "party_rejected" or "joined"))
        {
            await pages.QueueChangedAsync();
        }
    }

    /// <summary>
    /// Every change but the quiet ones; and not the last signature: the document signed by everyone is
    /// issued in the next transaction, which tells the pages (they would fetch the draft in between).
    /// </summary>
    private static bool TellsTheState(CaseCommitted committed) =>
        !committed.Records.All(r => Quiet.Contains(r.Kind)
            || (r is { Kind: "signed", Subject: AddedSignature s } && s.SignedSoFar == committed.Case.Parties.Count));
}
