using AccidentRemote.Server.Cases;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Signalling;

/// <summary>Pushes case changes to the hub's groups. A failure to push is logged, never thrown back to the caller whose change already committed.</summary>
public sealed class HubCaseNotifier : ICaseNotifier
{
    private readonly IHubContext<CallHub, ICallClient> hub;
    private readonly CaseStore cases;
    private readonly Presence presence;
    private readonly ILogger<HubCaseNotifier> logger;
    private readonly QueuePushCoalescer queuePush;

    public HubCaseNotifier(IHubContext<CallHub, ICallClient> hub, CaseStore cases, Presence presence, IOptions<SignallingOptions> options,
        TimeProvider clock, ILogger<HubCaseNotifier> logger)
    {
        this.hub = hub;
        this.cases = cases;
        this.presence = presence;
        this.logger = logger;
        queuePush = new QueuePushCoalescer(() => Safely(PushQueueAsync), options.Value.QueuePushInterval, clock);
    }

    /// <summary>The queue push running or waiting now (completed when idle); for tests and shutdown.</summary>
    public Task QueuePushIdle => queuePush.Idle;

    public Task CaseChangedAsync(Guid caseId, string status) => Safely(async () =>
    {
        var change = new CaseStatusChanged(caseId, status);
        await hub.Clients.Groups(CallGroups.CaseParties(caseId), CallGroups.CaseOfficer(caseId)).CaseChanged(change);
    });

    /// <summary>
    /// A burst of reports asks for many queue pushes; the whole queue goes to every officer at
    /// most once per <see cref="SignallingOptions.QueuePushInterval"/>, always with the latest queue.
    /// </summary>
    public Task QueueChangedAsync()
    {
        queuePush.Request();
        return Task.CompletedTask;
    }

    private async Task PushQueueAsync()
    {
        var queue = await cases.QueueAsync(CancellationToken.None);
        await hub.Clients.Group(CallGroups.Officers).QueueChanged(queue);
        if (queue.Count == 0)
        {
            return;
        }

        var average = await cases.AverageAnswerSecondsAsync(CancellationToken.None);
        var officersOnline = await presence.OfficersOnlineAsync();
        for (var i = 0; i < queue.Count; i++)
        {
            var position = CaseStore.Position(queue[i].CaseId, i + 1, average, officersOnline);
            await hub.Clients.Group(CallGroups.CaseParties(queue[i].CaseId)).QueuePosition(position);
        }
    }

    public Task EvidenceAddedAsync(Guid caseId, Guid evidenceId, string kind, Guid? partyId) => Safely(() =>
        hub.Clients.Group(CallGroups.CaseOfficer(caseId)).EvidenceAdded(new EvidenceAddedMessage(caseId, evidenceId, kind, partyId)));

    public Task PartyMovedAsync(Guid caseId, Guid partyId) => Safely(() =>
        hub.Clients.Group(CallGroups.CaseOfficer(caseId)).PartyMoved(new PartyMovedMessage(caseId, partyId)));

    public Task PartyObjectedAsync(Guid caseId, Guid partyId, int partyNumber, int version, IReadOnlyList<string> reasons, string? text) => Safely(() =>
        hub.Clients.Group(CallGroups.CaseOfficer(caseId)).PartyObjected(new PartyObjectedMessage(caseId, partyId, partyNumber, version, reasons, text)));

    public Task InstructionAsync(Guid caseId, Guid? partyId, string kind, string? angle) => Safely(() =>
    {
        var group = partyId is { } p ? CallGroups.Party(caseId, p) : CallGroups.CaseParties(caseId);
        return hub.Clients.Group(group).Instruction(new InstructionMessage(caseId, kind, angle));
    });

    public Task PhraseAsync(Guid caseId, Guid partyId, string key) => Safely(() =>
        hub.Clients.Group(CallGroups.Party(caseId, partyId)).Phrase(new PhraseMessage(caseId, partyId, key)));

    public Task PartyProgressAsync(Guid caseId, Guid partyId, string step) => Safely(() =>
        hub.Clients.Group(CallGroups.CaseOfficer(caseId)).PartyProgress(new PartyProgressMessage(caseId, partyId, step)));

    public Task CallNoticeAsync(Guid caseId, Guid partyId, string kind) => Safely(() =>
        hub.Clients.Group(CallGroups.CaseOfficer(caseId)).CallNotice(new CallNoticeMessage(caseId, partyId, kind)));

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

/// <summary>
/// Runs a push at once when asked while idle; requests that arrive while a push runs, or within
/// <c>interval</c> after it, are folded into one more push. Never more than one push at a time,
/// and the last request is always followed by a push that starts after it.
/// </summary>
public sealed class QueuePushCoalescer(Func<Task> push, TimeSpan interval, TimeProvider clock)
{
    private readonly Lock gate = new();
    private bool running;
    private bool pending;
    private Task idle = Task.CompletedTask;

    /// <summary>Completes when no push is running or waiting.</summary>
    public Task Idle
    {
        get
        {
            lock (gate)
            {
                return idle;
            }
        }
    }

    public void Request()
    {
        lock (gate)
        {
            if (running)
            {
                pending = true;
                return;
            }

            running = true;
            idle = Task.Run(LoopAsync);
        }
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            lock (gate)
            {
                pending = false;
            }

            await push();
            if (interval > TimeSpan.Zero)
            {
                await Task.Delay(interval, clock);
            }

            lock (gate)
            {
                if (!pending)
                {
                    running = false;
                    return;
                }
            }
        }
    }
}
