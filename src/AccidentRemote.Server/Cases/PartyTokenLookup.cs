using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Data;
using Dapper;

namespace AccidentRemote.Server.Cases;

/// <summary>Auth's question "whose is this party token?", answered from the parties and their cases.</summary>
public sealed class PartyTokenLookup(Db db) : IPartyTokens
{
    public async Task<PartyIdentity?> FindAsync(string token, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        // The end of a case: closed_at, escalated_at, or (abandoned) the time of that event.
        var row = await c.QuerySingleOrDefaultAsync<PartyTokenRow>("""
            SELECT p.id AS party_id, p.case_id, k.status AS case_status,
                   CASE WHEN k.status IN (@closed, @escalated, @abandoned)
                        THEN COALESCE(k.closed_at, k.escalated_at, (SELECT MAX(e.at) FROM case_events e WHERE e.case_id = k.id AND e.kind = @abandoned))
                   END AS case_ended_at
            FROM parties p JOIN cases k ON k.id = p.case_id
            WHERE p.token_hash = @hash
            """, new { hash = Secrets.HashToken(token), closed = CaseStatus.Closed, escalated = CaseStatus.Escalated, abandoned = CaseStatus.Abandoned });
        return row is null ? null : new PartyIdentity(row.PartyId, row.CaseId, row.CaseStatus, row.CaseEndedAt);
    }

    private sealed class PartyTokenRow
    {
        public Guid PartyId { get; set; }

        public Guid CaseId { get; set; }

        public string CaseStatus { get; set; } = "";

        public DateTimeOffset? CaseEndedAt { get; set; }
    }
}
