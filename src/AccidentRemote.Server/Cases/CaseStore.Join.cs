using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
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

/// <summary>Join codes and secrets: drawing them, and what the first party sees of who joined.</summary>
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

    /// <summary>The next party number of a case (a join and a merge take one).</summary>
    internal static Task<int> NextPartyNumberAsync(DbConnection c, DbTransaction tx, Guid caseId) =>
        c.QuerySingleAsync<int>("SELECT COALESCE(MAX(party_number), 0) + 1 FROM parties WHERE case_id = @caseId", new { caseId }, tx);

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
