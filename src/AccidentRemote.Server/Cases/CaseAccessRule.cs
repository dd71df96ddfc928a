using System.Security.Claims;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Data;
using Dapper;

namespace AccidentRemote.Server.Cases;

/// <summary>How much of one case a caller may see.</summary>
public enum CaseSight
{
    /// <summary>Nothing: the case is answered as not existing.</summary>
    None,

    /// <summary>Police staff who do not handle the case: the queue and the case without personal data.</summary>
    Queue,

    /// <summary>The officer who accepted the case, or a supervisor: everything, each read of personal data audited.</summary>
    Full,

    /// <summary>A party of the case: its own data, the other parties' phone and ID number masked.</summary>
    Party,
}

/// <summary>The answer of <see cref="CaseAccessRule.Decide(ClaimsPrincipal, Guid, Guid?, string)"/>.</summary>
public readonly record struct CaseAccessDecision(CaseSight Sight, Guid? PartyId = null, bool CaseEnded = false)
{
    public static readonly CaseAccessDecision None = new(CaseSight.None);

    public bool Sees => Sight != CaseSight.None;

    public bool SeesPersonalData => Sight == CaseSight.Full;

    public bool IsParty => Sight == CaseSight.Party;

    /// <summary>
    /// A party whose case is closed, escalated or abandoned: it keeps the case's progress, its
    /// rating, the signed document and its claim's status, and nothing of the call (hub, TURN, evidence).
    /// </summary>
    public bool IsEndedParty => IsParty && CaseEnded;

    /// <summary>A party whose case is still open.</summary>
    public bool IsLiveParty => IsParty && !CaseEnded;
}

/// <summary>
/// The one rule of who may see a case. Every endpoint and hub method that touches a case asks
/// it, with the case's officer and status as stored (never as a client sent them).
/// </summary>
public static class CaseAccessRule
{
    /// <summary>States after which the case is over for its parties.</summary>
    public static readonly IReadOnlyList<string> Ended = [CaseStatus.Closed, CaseStatus.Escalated, CaseStatus.Abandoned];

    /// <summary>States in which a call with the officer can happen (TURN credentials, hub connection for a party).</summary>
    public static readonly IReadOnlyList<string> Callable = [CaseStatus.Queued, .. CaseStatus.InHand];

    public static CaseAccessDecision Decide(ClaimsPrincipal user, Guid caseId, Guid? officerId, string status)
    {
        if (user.IsParty())
        {
            return user.PartyCaseId() == caseId && user.PartyId() is { } partyId
                ? new CaseAccessDecision(CaseSight.Party, partyId, Ended.Contains(status))
                : CaseAccessDecision.None;
        }

        if (user.IsInRole(Roles.Supervisor))
        {
            return new CaseAccessDecision(CaseSight.Full);
        }

        if (user.IsInRole(Roles.Officer))
        {
            return new CaseAccessDecision(officerId is { } id && id == user.OfficerId() ? CaseSight.Full : CaseSight.Queue);
        }

        // Insurer staff reach claims through the desk, scoped to their insurer; never a case as such.
        return CaseAccessDecision.None;
    }

    public static CaseAccessDecision Decide(ClaimsPrincipal user, CaseRow c) => Decide(user, c.Id, c.OfficerId, c.Status);

    /// <summary>Actions any officer may take on a case nobody has accepted yet (it is waiting in the queue).</summary>
    public static readonly IReadOnlyList<string> AnyOfficerWhileWaiting = ["accept", "escalate", "abandon"];

    /// <summary>
    /// Whether <paramref name="actor"/> may change the case (<paramref name="action"/>: a transition of
    /// <see cref="CaseStateMachine"/>, or null for a change that moves no state), or the refusal. A party
    /// acts only on its own case (others are answered as not existing); an officer only on a case it
    /// handles, unless a supervisor, or the case is waiting and the action is one any officer may take.
    /// </summary>
    public static CaseChange? MayAct(CaseActor actor, CaseDetails details, string? action)
    {
        if (actor is CaseActor.Party party && details.Parties.All(p => p.Id != party.PartyId))
        {
            return new CaseChange.NotFound();
        }

        if (action is not null && CaseStateMachine.Refusal(action, details.Case.Status) is { } refusal)
        {
            return new CaseChange.WrongState(details.Case.Status, refusal);
        }

        if (actor is CaseActor.Officer officer && details.Case.OfficerId != officer.OfficerId && !officer.IsSupervisor
            && !(details.Case.OfficerId is null && action is not null && AnyOfficerWhileWaiting.Contains(action)))
        {
            return new CaseChange.NotYours(details.Case.OfficerId);
        }

        return null;
    }

    public static CaseAccessDecision Decide(ClaimsPrincipal user, CaseHead c) => Decide(user, c.Id, c.OfficerId, c.Status);
}

/// <summary>What the access rule needs of a case: its id, status and accepting officer.</summary>
public sealed class CaseHead
{
    public Guid Id { get; set; }

    public string Status { get; set; } = "";

    public Guid? OfficerId { get; set; }
}

/// <summary>Reads the few columns <see cref="CaseAccessRule"/> decides on, for one case or many.</summary>
public sealed class CaseHeads(Db db)
{
    public async Task<CaseHead?> FindAsync(Guid caseId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<CaseHead>(
            new CommandDefinition("SELECT id, status, officer_id FROM cases WHERE id = @caseId", new { caseId }, cancellationToken: ct));
    }

    public async Task<IReadOnlyDictionary<Guid, CaseHead>> FindAsync(IEnumerable<Guid> caseIds, CancellationToken ct)
    {
        var ids = caseIds.Distinct().Select(id => id.ToString("D")).ToList();
        if (ids.Count == 0)
        {
            return new Dictionary<Guid, CaseHead>();
        }

        // Dapper passes a list to Npgsql as one array parameter and expands it for SQLite: the one dialect difference.
        var match = db.Provider == DatabaseProvider.Postgres ? "id = ANY(@ids)" : "id IN @ids";
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<CaseHead>(
            new CommandDefinition($"SELECT id, status, officer_id FROM cases WHERE {match}", new { ids = ids.ToArray() }, cancellationToken: ct));
        return rows.ToDictionary(r => r.Id);
    }
}
