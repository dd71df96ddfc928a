namespace AccidentRemote.Server.Auth;

/// <summary>Whose a party token is, and when its case ended (closed, escalated or abandoned; null while open).</summary>
public sealed record PartyIdentity(Guid PartyId, Guid CaseId, string? CaseStatus = null, DateTimeOffset? CaseEndedAt = null);

/// <summary>
/// Finds the party a token belongs to. Auth asks; Cases, which keeps parties and their token
/// hashes, answers (so Auth knows nothing of cases).
/// </summary>
public interface IPartyTokens
{
    Task<PartyIdentity?> FindAsync(string token, CancellationToken ct);
}
