using System.Security.Cryptography;
using System.Text;
using AccidentRemote.Server.Data;
using Dapper;

namespace AccidentRemote.Server.Cases;

/// <summary>
/// The other driver joins a case with its join code or link secret: a case transaction of the server's
/// (the joiner is not a party until it commits), whose <c>joined</c> record names the new party.
/// </summary>
public sealed class CaseJoining(Db db, CaseTransactions transactions)
{
    /// <summary>
    /// Joins with the link secret (from the QR or link), or with the typed 8-digit code. A wrong
    /// code whose first 4 digits name an open case counts against that case; after
    /// <paramref name="maxFailures"/> its typed code is locked (the link still works, and the
    /// first party can renew the code).
    /// </summary>
    public async Task<JoinResult> JoinAsync(string? joinCode, string? joinSecret, VehicleData vehicle, int maxFailures, CancellationToken ct)
    {
        var selector = joinSecret is null ? joinCode![..4] : null;
        for (var attempt = 0; ; attempt++)
        {
            Guid? caseId;
            await using (var c = await db.OpenAsync(ct))
            {
                caseId = joinSecret is not null
                    ? await c.QuerySingleOrDefaultAsync<Guid?>("SELECT id FROM cases WHERE join_secret = @joinSecret", new { joinSecret })
                    : await c.QuerySingleOrDefaultAsync<Guid?>("SELECT id FROM cases WHERE join_selector = @selector", new { selector });
            }

            if (caseId is null)
            {
                return new JoinResult.UnknownCode();
            }

            var begin = await transactions.BeginAsync(caseId.Value, CaseActor.System.Instance, null, ct);
            if (begin.Refused)
            {
                return new JoinResult.UnknownCode();
            }

            try
            {
                await using var t = begin.Transaction;
                var row = t.Details.Case;
                // The code may have been renewed between the look-up and this transaction: look again, in it.
                if (joinSecret is not null ? row.JoinSecret != joinSecret : row.JoinSelector != selector)
                {
                    if (attempt >= 5)
                    {
                        return new JoinResult.UnknownCode();
                    }

                    continue;
                }

                if (joinSecret is null)
                {
                    if (row.JoinLockedAt is not null)
                    {
                        return new JoinResult.Locked();
                    }

                    if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(joinCode!), Encoding.ASCII.GetBytes(row.JoinCode ?? "")))
                    {
                        return await WrongCodeAsync(t, maxFailures, ct);
                    }
                }

                if (!CaseStatus.Joinable.Contains(row.Status))
                {
                    return new JoinResult.UnknownCode();
                }

                var parties = t.Details.Parties;
                if (parties.Any(p => p.Plate == vehicle.Plate))
                {
                    return new JoinResult.AlreadyJoined();
                }

                if (parties.Count >= row.ExpectedParties)
                {
                    return new JoinResult.Full(row.ExpectedParties);
                }

                var (party, token) = await CaseStore.InsertPartyAsync(t.Connection, t.Transaction, row.Id,
                    await CaseStore.NextPartyNumberAsync(t.Connection, t.Transaction, row.Id), vehicle, t.Now);
                if (parties.Count + 1 == row.ExpectedParties)
                {
                    // Everyone is here: the code has done its job and must not let anyone else in.
                    await t.Connection.ExecuteAsync($"UPDATE cases SET {CaseReads.ClearJoin} WHERE id = @id", new { id = row.Id }, t.Transaction);
                }

                t.Record("joined", joinSecret is null ? "typed code" : "link", by: new CaseActor.Party(party.Id));
                return await t.CommitAsync(ct) is CaseChange.Done ? new JoinResult.Joined(row, party, token) : new JoinResult.UnknownCode();
            }
            catch (Exception ex) when (Db.IsUniqueViolation(ex) && attempt < 5)
            {
                // Two parties joined at the same moment and took the same number: read again.
            }
        }
    }

    /// <summary>A wrong typed code counts against the case its first 4 digits name; enough of them lock the typed code.</summary>
    private static async Task<JoinResult> WrongCodeAsync(CaseTransaction t, int maxFailures, CancellationToken ct)
    {
        var failures = t.Details.Case.JoinFailures + 1;
        await t.Connection.ExecuteAsync("""
            UPDATE cases SET join_failures = join_failures + 1,
                             join_locked_at = CASE WHEN join_failures + 1 >= @maxFailures THEN @now ELSE join_locked_at END
            WHERE id = @id
            """, new { id = t.CaseId, maxFailures, now = t.Now }, t.Transaction);
        if (failures >= maxFailures)
        {
            t.Record("join_locked", $"{failures} wrong join codes tried");
        }

        await t.CommitAsync(ct);
        return failures >= maxFailures ? new JoinResult.Locked() : new JoinResult.UnknownCode();
    }
}
