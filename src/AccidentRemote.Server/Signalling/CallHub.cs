using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Cases;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Signalling;

/// <summary>
/// Relays WebRTC signalling between a case's parties and the officer who accepted it.
/// Every call is checked against the caller's token: a party reaches only its own case's
/// officer; an officer only the parties of cases it accepted. Peers are addressed by case and
/// party, never by connection id, so a reconnect (a new connection id) changes nothing.
/// Who may do what is <see cref="CaseAccessRule"/>: a party connects only while its case is open,
/// signals flow only while an officer handles the case, and only the console makes offers.
/// </summary>
[Authorize(Policy = AuthExtensions.CasePolicy)]
public sealed partial class CallHub(CaseStore cases, CaseHeads heads, Presence presence, IOptions<SignallingOptions> options, ILogger<CallHub> logger) : Hub<ICallClient>
{
    public const string Path = "/hubs/call";
    private const string WatchedKey = "watched";
    private const string HolderKey = "holder";

    public override async Task OnConnectedAsync()
    {
        var user = Context.User!;
        if (await AdmitAsync(user) is { } refusal)
        {
            // Refused before joining any group; the client sees the connection close.
            Log.ConnectionRefused(logger, Context.ConnectionId, refusal);
            Context.Abort();
            return;
        }

        if (user.IsParty() && user.PartyCaseId() is { } caseId && user.PartyId() is { } partyId)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, CallGroups.CaseParties(caseId));
            await Groups.AddToGroupAsync(Context.ConnectionId, CallGroups.Party(caseId, partyId));
            if (await presence.PartyConnectedAsync(partyId, Context.ConnectionId))
            {
                await Clients.Group(CallGroups.CaseOfficer(caseId)).PeerChanged(new PeerChange(caseId, partyId, true));
            }

            if (await cases.QueuePositionAsync(caseId, await presence.OfficersOnlineAsync(), Context.ConnectionAborted) is { } position)
            {
                await Clients.Caller.QueuePosition(position);
            }
        }
        else if (user.IsStaff())
        {
            await presence.OfficerConnectedAsync(Context.ConnectionId);
            await Groups.AddToGroupAsync(Context.ConnectionId, CallGroups.Officers);
        }

        await base.OnConnectedAsync();
    }

    /// <summary>Null when the connection may stay; else why not (no personal data in it, it is logged).</summary>
    private async Task<string?> AdmitAsync(System.Security.Claims.ClaimsPrincipal user)
    {
        string holder;
        if (user.IsParty() && user.PartyCaseId() is { } caseId && user.PartyId() is { } partyId)
        {
            var head = await heads.FindAsync(caseId, Context.ConnectionAborted);
            var access = head is null ? CaseAccessDecision.None : CaseAccessRule.Decide(user, head);
            if (!access.IsLiveParty)
            {
                return $"the party's case is {head?.Status ?? "gone"}: a party connects only while its case is open";
            }

            holder = $"party:{partyId:N}";
        }
        else if (user.IsStaff() && SessionToken() is { } token)
        {
            // Per session token (hashed, as the server keeps it): an officer may be signed in on two desks.
            holder = $"session:{Secrets.HashToken(token)}";
        }
        else
        {
            return "only a case's parties and police staff connect to the call hub";
        }

        var max = options.Value.MaxConnectionsPerToken;
        if (await presence.HolderConnectedAsync(holder, Context.ConnectionId) > max)
        {
            await presence.HolderDisconnectedAsync(holder, Context.ConnectionId);
            return $"the token already has {max} live connections (Signalling:MaxConnectionsPerToken)";
        }

        Context.Items[HolderKey] = holder;
        return null;
    }

    /// <summary>The bearer token this connection authenticated with (header, or access_token for WebSockets).</summary>
    private string? SessionToken()
    {
        var request = Context.GetHttpContext()?.Request;
        var header = request?.Headers.Authorization.ToString() ?? "";
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        return request?.Query["access_token"].ToString() is { Length: > 0 } q ? q : null;
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.TryGetValue(HolderKey, out var value) && value is string holder)
        {
            await presence.HolderDisconnectedAsync(holder, Context.ConnectionId);
        }
        else
        {
            // Refused at connect: it was never counted, in no group, and nobody was told it came.
            await base.OnDisconnectedAsync(exception);
            return;
        }

        var user = Context.User!;
        if (user.IsParty() && user.PartyCaseId() is { } caseId && user.PartyId() is { } partyId)
        {
            if (await presence.PartyDisconnectedAsync(partyId, Context.ConnectionId))
            {
                await Clients.Group(CallGroups.CaseOfficer(caseId)).PeerChanged(new PeerChange(caseId, partyId, false));
            }
        }
        else if (user.IsStaff())
        {
            await presence.OfficerDisconnectedAsync(Context.ConnectionId);
        }

        await base.OnDisconnectedAsync(exception);
    }

    /// <summary>
    /// A round trip: answers only after the connection is fully set up (groups joined), so a
    /// client that awaited it knows it will receive its events. Returns the server time (Unix ms).
    /// </summary>
    public long Ping() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>An officer starts receiving a case's signals. Only the officer who accepted it, or a supervisor.</summary>
    public async Task<CallRoster> WatchCase(Guid caseId)
    {
        var user = Context.User!;
        if (!user.IsStaff())
        {
            throw new HubException("Only officers can watch a case.");
        }

        var details = await cases.GetAsync(caseId, Context.ConnectionAborted);
        if (details is null || !CaseAccessRule.Decide(user, details.Case).SeesPersonalData)
        {
            throw new HubException("You can watch only a case you accepted.");
        }

        Watched()[caseId] = details.Parties.Select(p => p.Id).ToHashSet();
        await Groups.AddToGroupAsync(Context.ConnectionId, CallGroups.CaseOfficer(caseId));
        var online = await Task.WhenAll(details.Parties.Select(p => presence.IsOnlineAsync(p.Id)));
        return new CallRoster(caseId, details.Case.Status,
            details.Parties.Select((p, i) => new RosterParty(p.Id, p.PartyNumber, p.Plate, online[i])).ToList());
    }

    /// <summary>Relays one offer, answer, candidate or hang-up to the addressed peer of the same case.</summary>
    public async Task Signal(OutgoingSignal signal)
    {
        if (signal is null)
        {
            throw new HubException("A signal is required.");
        }

        if (SignalRules.Check(signal) is { } problem)
        {
            throw new HubException(problem);
        }

        var user = Context.User!;
        if (user.IsParty())
        {
            if (user.PartyCaseId() != signal.CaseId || signal.ToPartyId is not null)
            {
                throw new HubException("A party can signal only the officer of its own case.");
            }

            if (signal.Type == SignalTypes.Offer)
            {
                throw new HubException("Only the officer's console makes offers; a party answers them.");
            }

            await RequireCallAsync(user, signal.CaseId);
            await Clients.Group(CallGroups.CaseOfficer(signal.CaseId))
                .Signal(new IncomingSignal(signal.CaseId, user.PartyId(), signal.Type!, signal.Description, signal.Candidate));
            return;
        }

        if (!Watched().TryGetValue(signal.CaseId, out var partyIds))
        {
            throw new HubException("Watch the case (WatchCase) before signalling its parties.");
        }

        await RequireCallAsync(user, signal.CaseId);

        if (signal.ToPartyId is not { } to || !partyIds.Contains(to))
        {
            // A party that joined after WatchCase: look again before refusing.
            var details = await cases.GetAsync(signal.CaseId, Context.ConnectionAborted);
            partyIds = details?.Parties.Select(p => p.Id).ToHashSet() ?? [];
            Watched()[signal.CaseId] = partyIds;
            if (signal.ToPartyId is not { } again || !partyIds.Contains(again))
            {
                throw new HubException("toPartyId must be a party of this case.");
            }
        }

        Log.Relaying(logger, signal.Type!, signal.CaseId);
        await Clients.Group(CallGroups.Party(signal.CaseId, signal.ToPartyId!.Value))
            .Signal(new IncomingSignal(signal.CaseId, null, signal.Type!, signal.Description, signal.Candidate));
    }

    /// <summary>Signals flow only while the case is with its officer (in_call to awaiting_signatures), as stored now.</summary>
    private async Task RequireCallAsync(System.Security.Claims.ClaimsPrincipal user, Guid caseId)
    {
        var head = await heads.FindAsync(caseId, Context.ConnectionAborted);
        var access = head is null ? CaseAccessDecision.None : CaseAccessRule.Decide(user, head);
        if (!access.IsLiveParty && !access.SeesPersonalData)
        {
            throw new HubException(user.IsParty() ? "The case is over: its call has ended." : "You can signal only a case you handle.");
        }

        if (!CaseStatus.InHand.Contains(head!.Status))
        {
            throw new HubException($"The case is {head.Status}: there is no call to signal in.");
        }
    }

    private Dictionary<Guid, HashSet<Guid>> Watched()
    {
        if (Context.Items.TryGetValue(WatchedKey, out var value) && value is Dictionary<Guid, HashSet<Guid>> watched)
        {
            return watched;
        }

        var created = new Dictionary<Guid, HashSet<Guid>>();
        Context.Items[WatchedKey] = created;
        return created;
    }

    private static partial class Log
    {
        // Generated: no argument array or boxing per relayed signal when Debug is off.
        [LoggerMessage(Level = LogLevel.Debug, Message = "Relaying {Type} for case {CaseId}")]
        public static partial void Relaying(ILogger logger, string type, Guid caseId);

        [LoggerMessage(Level = LogLevel.Information, Message = "Hub connection {ConnectionId} refused: {Reason}")]
        public static partial void ConnectionRefused(ILogger logger, string connectionId, string reason);
    }
}
