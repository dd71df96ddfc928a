namespace AccidentRemote.Server.Signalling;

/// <summary>
/// Tells the people on a case what changed, over the call hub. Features call this after
/// their change has committed; it never throws for an absent listener.
/// </summary>
public interface ICaseNotifier
{
    Task CaseChangedAsync(Guid caseId, string status);

    Task QueueChangedAsync();

    Task EvidenceAddedAsync(Guid caseId, Guid evidenceId, string kind, Guid? partyId);

    Task PartyMovedAsync(Guid caseId, Guid partyId);

    Task InstructionAsync(Guid caseId, Guid? partyId, string kind, string? angle);

    Task ClaimAcknowledgedAsync(Guid caseId, Guid partyId, string insurerCode, string claimReportNumber);

    /// <summary>Asks a party of an existing case whether a separate report was in its accident.</summary>
    Task DuplicateQuestionAsync(Guid caseId, Guid partyId, Guid linkId, string plate) => Task.CompletedTask;

    /// <summary>Tells a merged report's page which case its token opens now.</summary>
    Task MergedAsync(Guid fromCaseId, Guid caseId, string caseNumber, Guid partyId, int partyNumber) => Task.CompletedTask;

    /// <summary>Tells a party turned away by the first party.</summary>
    Task PartyRejectedAsync(Guid caseId, Guid partyId) => Task.CompletedTask;
}
