namespace AccidentRemote.Server.Cases;

/// <summary>
/// Tells the pages that watch a case (its parties, its officer, the queue) that something
/// changed. Every change to a case is a case transaction, and its pages are told after the commit
/// by an <see cref="ICaseObserver"/> (Signalling's), which implements this over the call hub.
/// It never throws for an absent listener.
/// </summary>
public interface ICasePages
{
    Task CaseChangedAsync(Guid caseId, string status);

    Task QueueChangedAsync();

    /// <summary>Asks a party of an existing case whether a separate report was in its accident.</summary>
    Task DuplicateQuestionAsync(Guid caseId, Guid partyId, Guid linkId, string plate) => Task.CompletedTask;

    /// <summary>Tells a merged report's page which case its token opens now.</summary>
    Task MergedAsync(Guid fromCaseId, Guid caseId, string caseNumber, Guid partyId, int partyNumber) => Task.CompletedTask;

    /// <summary>Tells a party turned away by the first party.</summary>
    Task PartyRejectedAsync(Guid caseId, Guid partyId) => Task.CompletedTask;

    /// <summary>Tells the officer that a party confirmed its car is off the road.</summary>
    Task PartyMovedAsync(Guid caseId, Guid partyId);
}
