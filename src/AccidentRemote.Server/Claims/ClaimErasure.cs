using System.Data.Common;
using System.Text.Json.Nodes;
using Dapper;

namespace AccidentRemote.Server.Claims;

/// <summary>
/// The claim kept in the outbox (and the embedded inbox, in development) holds the insured's data
/// too: Privacy's erasure masks it there, in its transaction, through this.
/// </summary>
public static class ClaimErasure
{
    /// <summary>Masks the insured's name, phone, ID and policy number in every stored copy of the party's claims; returns how many copies.</summary>
    public static async Task<int> MaskInsuredAsync(DbConnection c, DbTransaction tx, Guid partyId)
    {
        var claims = (await c.QueryAsync<ClaimCopy>("SELECT id, payload FROM claims WHERE party_id = @partyId", new { partyId }, tx)).ToList();
        var n = 0;
        foreach (var claim in claims)
        {
            var masked = Mask(claim.Payload);
            await c.ExecuteAsync("UPDATE claims SET payload = @masked WHERE id = @Id", new { masked, claim.Id }, tx);
            n++;
            var inbox = await c.QuerySingleOrDefaultAsync<string>(
                "SELECT payload FROM embedded_insurer_inbox WHERE message_id = @id", new { id = claim.Id.ToString("D") }, tx);
            if (inbox is not null)
            {
                await c.ExecuteAsync("UPDATE embedded_insurer_inbox SET payload = @masked WHERE message_id = @id",
                    new { masked = Mask(inbox), id = claim.Id.ToString("D") }, tx);
                n++;
            }
        }

        return n;
    }

    private static string Mask(string payload)
    {
        var node = JsonNode.Parse(payload);
        if (node?["insured"] is JsonObject insured)
        {
            insured["phone"] = "";
            insured["name"] = null;
            insured["idNumber"] = null;
            insured["policyNumber"] = null;
        }

        return node?.ToJsonString() ?? payload;
    }

    private sealed class ClaimCopy
    {
        public Guid Id { get; set; }

        public string Payload { get; set; } = "";
    }
}
