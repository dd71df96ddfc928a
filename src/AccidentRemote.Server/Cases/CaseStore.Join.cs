using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AccidentRemote.Server.Data;
using Dapper;

namespace AccidentRemote.Server.Cases;

/// <summary>Who is in the case, for the first party, who can turn a wrong joiner away.</summary>
public sealed record JoinedPartyView(Guid PartyId, int PartyNumber, string Plate, string Phone, DateTimeOffset JoinedAt);

/// <summary>The case's join code, link secret and joined parties, for its parties.</summary>
public sealed record JoinInfo(Guid CaseId, string? JoinCode, string? JoinSecret, bool Locked, int ExpectedParties, IReadOnlyList<JoinedPartyView> Parties);

public abstract record JoinResult
{
    public sealed record Joined(CaseRow Case, PartyRow Party, string PartyToken) : JoinResult;

    public sealed record UnknownCode : JoinResult;

    public sealed record Locked : JoinResult;

    public sealed record Full(int ExpectedParties) : JoinResult;

    public sealed record AlreadyJoined : JoinResult;
}

/// <summary>Getting into a case: join codes and secrets, locking and renewing the code, turning a joiner away.</summary>
public sealed partial class CaseStore
{
    /// <summary>Every place that ends a case's join code ends its selector and link secret with it.</summary>
    private const string ClearJoin = CaseReads.ClearJoin;

    /// <summary>A new join code: 8 digits (the first 4 pick the case) and a 32-character link secret.</summary>
    internal sealed record NewJoinCode(string Code, string Selector, string Secret);

    internal static NewJoinCode NewJoin()
    {
        var selector = RandomNumberGenerator.GetInt32(0, 10_000).ToString("D4", CultureInfo.InvariantCulture);
        var check = RandomNumberGenerator.GetInt32(0, 10_000).ToString("D4", CultureInfo.InvariantCulture);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        return new NewJoinCode(selector + check, selector, secret);
    }


    private static Task<int> NextPartyNumberAsync(DbConnection c, DbTransaction tx, Guid caseId) =>
        c.QuerySingleAsync<int>("SELECT COALESCE(MAX(party_number), 0) + 1 FROM parties WHERE case_id = @caseId", new { caseId }, tx);

    /// <summary>
    /// Joins with the link secret (from the QR or link), or with the typed 8-digit code. A wrong
    /// code whose first 4 digits name an open case counts against that case; after
    /// <paramref name="maxFailures"/> its typed code is locked (the link still works, and the
    /// first party can renew the code).
    /// </summary>
    public async Task<JoinResult> JoinAsync(string? joinCode, string? joinSecret, VehicleData vehicle, int maxFailures, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        for (var attempt = 0; ; attempt++)
        {
            await using var c = await db.OpenAsync(ct);
            await using var tx = await c.BeginTransactionAsync(ct);
            CaseRow? row;
            if (joinSecret is not null)
            {
                row = await c.QuerySingleOrDefaultAsync<CaseRow>($"SELECT {CaseColumns} FROM cases WHERE join_secret = @joinSecret", new { joinSecret }, tx);
            }
            else
            {
                row = await c.QuerySingleOrDefaultAsync<CaseRow>($"SELECT {CaseColumns} FROM cases WHERE join_selector = @selector", new { selector = joinCode![..4] }, tx);
                if (row is not null && row.JoinLockedAt is not null)
                {
                    return new JoinResult.Locked();
                }

                if (row is not null && !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(joinCode), Encoding.ASCII.GetBytes(row.JoinCode ?? "")))
                {
                    var failures = row.JoinFailures + 1;
                    await c.ExecuteAsync("""
                        UPDATE cases SET join_failures = join_failures + 1,
                                         join_locked_at = CASE WHEN join_failures + 1 >= @maxFailures THEN @now ELSE join_locked_at END
                        WHERE id = @id
                        """, new { id = row.Id, maxFailures, now }, tx);
                    if (failures >= maxFailures)
                    {
                        await AddEventAsync(c, tx, row.Id, "join_locked", "system", $"{failures} wrong join codes tried", now);
                    }

                    await tx.CommitAsync(ct);
                    return failures >= maxFailures ? new JoinResult.Locked() : new JoinResult.UnknownCode();
                }
            }

            if (row is null || !CaseStatus.Joinable.Contains(row.Status))
            {
                return new JoinResult.UnknownCode();
            }

            var parties = (await c.QueryAsync<PartyRow>($"SELECT {PartyColumns} FROM parties WHERE case_id = @id AND rejected_at IS NULL", new { id = row.Id }, tx)).ToList();
            if (parties.Any(p => p.Plate == vehicle.Plate))
            {
                return new JoinResult.AlreadyJoined();
            }

            if (parties.Count >= row.ExpectedParties)
            {
                return new JoinResult.Full(row.ExpectedParties);
            }

            try
            {
                var (party, token) = await InsertPartyAsync(c, tx, row.Id, await NextPartyNumberAsync(c, tx, row.Id), vehicle, now);
                if (parties.Count + 1 == row.ExpectedParties)
                {
                    // Everyone is here: the code has done its job and must not let anyone else in.
                    await c.ExecuteAsync($"UPDATE cases SET {ClearJoin} WHERE id = @id", new { id = row.Id }, tx);
                }

                await AddEventAsync(c, tx, row.Id, "joined", $"party:{party.Id}", joinSecret is null ? "typed code" : "link", now);
                await tx.CommitAsync(ct);
                return new JoinResult.Joined(row, party, token);
            }
            catch (Exception ex) when (Db.IsUniqueViolation(ex) && attempt < 5)
            {
                // Two parties joined at the same moment and took the same number: read again.
            }
        }
    }

    /// <summary>The join code, link secret and who joined, for a party of the case.</summary>
    public async Task<JoinInfo?> JoinInfoAsync(Guid caseId, Guid viewerPartyId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var details = await LoadAsync(c, null, caseId);
        if (details is null || details.Parties.All(p => p.Id != viewerPartyId))
        {
            return null;
        }

        var k = details.Case;
        return new JoinInfo(k.Id, k.JoinCode, k.JoinSecret, k.JoinLockedAt is not null, k.ExpectedParties,
            details.Parties.Select(p => new JoinedPartyView(p.Id, p.PartyNumber, p.Plate, p.Id == viewerPartyId ? p.Phone : CaseRules.MaskPhone(p.Phone), p.JoinedAt)).ToList());
    }
}
