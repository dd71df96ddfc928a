using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Documents;
using AccidentRemote.Server.Evidence;

namespace AccidentRemote.Server.Signalling;

/// <summary>
/// The one place that decides what the pages are told after a case transaction committed, from what
/// it recorded: the case's new state to its parties and officer, the queue to the officers when a
/// case enters or leaves it (or a party joins or is turned away, or a possible duplicate is decided), new evidence and a party's
/// "moved", an objection to the document, details given and signatures (the officer's checklist) to the officer, an instruction or a canned phrase to its party; for a report, the queue and the question to a party of the open case it
/// may duplicate; for a merge, the merged report's page where its party went. Features record; none of them calls the notifier for a case change.
/// </summary>
public sealed class CasePagesObserver(ICaseNotifier pages) : ICaseObserver
{
    /// <summary>Actions that take a case out of the queue (or may): the officers' queue is pushed again.</summary>
    private static readonly HashSet<string> QueueActions = ["accept", "escalate", "abandon"];

    /// <summary>Records that tell only the officer (or one party), not the case's state to everyone.</summary>
    private static readonly HashSet<string> Quiet = ["evidence_added", "party_moved", "objected", "instruction", "rated", "join_locked", "phrase", "call_notice"];

    /// <summary>Records that change the officers' queue: who joined, and the possible-duplicate marks it shows.</summary>
    private static readonly HashSet<string> QueueRecords = ["party_rejected", "joined", "merged", "duplicate_dismissed"];

    public async Task CommittedAsync(CaseCommitted committed, CancellationToken ct)
    {
        if (committed.Created)
        {
            await ReportedAsync(committed);
            return;
        }

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
                case ("objected", PartyObjection objection):
                    await pages.PartyObjectedAsync(caseId, objection.PartyId, objection.PartyNumber, objection.Version,
                        objection.Objection.Reasons, objection.Objection.Text);
                    break;
                case ("phrase", CannedPhrase phrase):
                    await pages.PhraseAsync(caseId, phrase.PartyId, phrase.Key);
                    break;
                case ("details_given", _) when committed.Actor is CaseActor.Party party:
                    await pages.PartyProgressAsync(caseId, party.PartyId, PartyProgressSteps.Details);
                    break;
                case ("signed", _) when committed.Actor is CaseActor.Party party:
                    await pages.PartyProgressAsync(caseId, party.PartyId, PartyProgressSteps.SignedDocument);
                    break;
                case ("instruction", InstructionRequest instruction):
                    await pages.InstructionAsync(caseId, instruction.PartyId, instruction.Kind!, instruction.Angle);
                    break;
                case ("call_notice", CallNotice notice):
                    await pages.CallNoticeAsync(caseId, notice.PartyId, notice.Kind);
                    break;
                case ("merged", CaseMerge merge):
                    // The merged report's page first learns where its party went, then that its own case is over.
                    await pages.MergedAsync(merge.FromCaseId, caseId, committed.Case.Case.CaseNumber, merge.PartyId, merge.PartyNumber);
                    break;
            }
        }

        if (TellsTheState(committed))
        {
            await pages.CaseChangedAsync(caseId, committed.Case.Case.Status);
        }

        foreach (var elsewhere in committed.Elsewhere.Where(e => e.Record.Kind == "merged_into"))
        {
            await pages.CaseChangedAsync(elsewhere.CaseId, CaseStatus.Abandoned);
        }

        // The queue shows how many parties have joined and which reports may be duplicates: a join, a turn-away or a decision changes it.
        if ((committed.Action is { } action && QueueActions.Contains(action)) || committed.Records.Any(r => QueueRecords.Contains(r.Kind)))
        {
            await pages.QueueChangedAsync();
        }
    }

    /// <summary>
    /// A new report: the officers' queue when it waits in it (not when escalated), and the question to the
    /// asked party of an open case it may duplicate, when the two may be merged. Only the plate goes to that
    /// party; nothing of theirs comes back.
    /// </summary>
    private async Task ReportedAsync(CaseCommitted committed)
    {
        if (committed.Case.Case.Status == CaseStatus.Queued)
        {
            await pages.QueueChangedAsync();
        }

        foreach (var elsewhere in committed.Elsewhere)
        {
            if (elsewhere.Record is { Kind: "possible_duplicate", Subject: PossibleDuplicate { Mergeable: true } duplicate })
            {
                await pages.DuplicateQuestionAsync(duplicate.ExistingCaseId, duplicate.AskedPartyId, duplicate.LinkId, duplicate.ReporterPlate);
            }
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
