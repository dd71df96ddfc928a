using AccidentRemote.Server.Cases;

namespace AccidentRemote.Server.Signalling;

/// <summary>
/// Tells the people on a case what changed, over the call hub: what Cases tells its pages
/// (<see cref="ICasePages"/>) and what the features above it tell. After a case transaction
/// <see cref="CasePagesObserver"/> calls it; otherwise a report, the duplicate decisions and a
/// claim's acknowledgement do, after their change committed. It never throws for an absent listener.
/// </summary>
public interface ICaseNotifier : ICasePages
{
    Task EvidenceAddedAsync(Guid caseId, Guid evidenceId, string kind, Guid? partyId);

    Task PartyObjectedAsync(Guid caseId, Guid partyId, int partyNumber, int version, IReadOnlyList<string> reasons, string? text);

    Task InstructionAsync(Guid caseId, Guid? partyId, string kind, string? angle);

    /// <summary>Shows a canned phrase (<see cref="CannedPhrases"/>) to one party.</summary>
    Task PhraseAsync(Guid caseId, Guid partyId, string key) => Task.CompletedTask;

    /// <summary>Tells the officer a party gave its details or signed (<see cref="PartyProgressSteps"/>), for the checklist.</summary>
    Task PartyProgressAsync(Guid caseId, Guid partyId, string step) => Task.CompletedTask;

    /// <summary>Tells the case's officer that a party left the call or asks to be called back.</summary>
    Task CallNoticeAsync(Guid caseId, Guid partyId, string kind);

    Task ClaimAcknowledgedAsync(Guid caseId, Guid partyId, string insurerCode, string claimReportNumber);
}
