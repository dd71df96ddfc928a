using AccidentRemote.Server.Cases;
using Microsoft.AspNetCore.SignalR;

namespace AccidentRemote.Server.Signalling;

/// <summary>Pushes case changes to the hub's groups. A failure to push is logged, never thrown back to the caller whose change already committed.</summary>
public sealed class HubCaseNotifier(IHubContext<CallHub, ICallClient> hub, CaseStore cases, Presence presence, ILogger<HubCaseNotifier> logger) : ICaseNotifier
{
    public Task CaseChangedAsync(Guid caseId, string status) => Safely(async () =>
    {
        var change = new CaseStatusChanged(caseId, status);
        await hub.Clients.Groups(CallGroups.CaseParties(caseId), CallGroups.CaseOfficer(caseId)).CaseChanged(change);
    });

    public Task QueueChangedAsync() => Safely(async () =>
    {
        var queue = await cases.QueueAsync(CancellationToken.None);
        await hub.Clients.Group(CallGroups.Officers).QueueChanged(queue);
        if (queue.Count == 0)
        {
            return;
        }

        var average = await cases.AverageAnswerSecondsAsync(CancellationToken.None);
        for (var i = 0; i < queue.Count; i++)
        {
            var position = CaseStore.Position(queue[i].CaseId, i + 1, average, presence.OfficersOnline);
            await hub.Clients.Group(CallGroups.CaseParties(queue[i].CaseId)).QueuePosition(position);
        }
    });

    public Task EvidenceAddedAsync(Guid caseId, Guid evidenceId, string kind, Guid? partyId) => Safely(() =>
        hub.Clients.Group(CallGroups.CaseOfficer(caseId)).EvidenceAdded(new EvidenceAddedMessage(caseId, evidenceId, kind, partyId)));

    public Task PartyMovedAsync(Guid caseId, Guid partyId) => Safely(() =>
        hub.Clients.Group(CallGroups.CaseOfficer(caseId)).PartyMoved(new PartyMovedMessage(caseId, partyId)));

    public Task InstructionAsync(Guid caseId, Guid? partyId, string kind, string? angle) => Safely(() =>
    {
        var group = partyId is { } p ? CallGroups.Party(caseId, p) : CallGroups.CaseParties(caseId);
        return hub.Clients.Group(group).Instruction(new InstructionMessage(caseId, kind, angle));
    });

    public Task ClaimAcknowledgedAsync(Guid caseId, Guid partyId, string insurerCode, string claimReportNumber) => Safely(() =>
        hub.Clients.Group(CallGroups.Party(caseId, partyId)).ClaimAcknowledged(new ClaimAcknowledgedMessage(caseId, insurerCode, claimReportNumber)));

    public Task DuplicateQuestionAsync(Guid caseId, Guid partyId, Guid linkId, string plate) => Safely(() =>
        hub.Clients.Group(CallGroups.Party(caseId, partyId)).DuplicateQuestion(new DuplicateQuestionMessage(caseId, linkId, plate)));

    public Task MergedAsync(Guid fromCaseId, Guid caseId, string caseNumber, Guid partyId, int partyNumber) => Safely(() =>
        hub.Clients.Group(CallGroups.Party(fromCaseId, partyId)).Merged(new MergedMessage(fromCaseId, caseId, caseNumber, partyId, partyNumber)));

    public Task PartyRejectedAsync(Guid caseId, Guid partyId) => Safely(() =>
        hub.Clients.Group(CallGroups.Party(caseId, partyId)).PartyRejected(new PartyRejectedMessage(caseId, partyId)));

    private async Task Safely(Func<Task> push)
    {
        try
        {
            await push();
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not push a case notification");
        }
    }
}
