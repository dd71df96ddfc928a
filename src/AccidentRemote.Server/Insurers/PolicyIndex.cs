using AccidentRemote.Server.Data;
using Dapper;

namespace AccidentRemote.Server.Insurers;

/// <summary>
/// One policy record as an insurer sends it. There is no field for the insurer: a record always
/// belongs to the signed-in insurer. <see cref="InsurerCode"/> is accepted only so that a file
/// naming another insurer is refused instead of silently stored as the sender's.
/// </summary>
public sealed record PolicyRecordInput(string? Plate, string? PolicyNumber, DateTimeOffset? CompulsoryValidFrom, DateTimeOffset? CompulsoryValidTo, string? InsurerCode = null);

public static class CompulsoryInsurance
{
    public const string Valid = "valid";
    public const string Expired = "expired";
    public const string NotStarted = "not_started";
    public const string Unknown = "unknown";

    /// <summary>The declared insurer's record is in force, and another insurer's record for the plate overlaps it.</summary>
    public const string OverlappingCover = "overlapping_cover";

    /// <summary>The declared insurer has no record in force at the accident (or none was declared), but another insurer has one.</summary>
    public const string OtherInsurerCover = "other_insurer_cover";

    /// <summary>
    /// Bounds of a record's dates. 交强险 runs one year (条例 第二十条; shorter terms exist for
    /// temporary entry, vehicles close to scrapping and the like, never longer), renewals are sold
    /// some weeks ahead, and the index only answers for accidents of today.
    /// </summary>
    public static readonly TimeSpan MaxTerm = TimeSpan.FromDays(366);

    /// <summary>A record may start at most this long before now (older records are history, not cover).</summary>
    public static readonly TimeSpan MaxStartInPast = TimeSpan.FromDays(2 * 365);

    /// <summary>A record may start at most this long after now (a renewal sold ahead).</summary>
    public static readonly TimeSpan MaxStartInFuture = TimeSpan.FromDays(90);
}

/// <summary>What the officer sees of a party's compulsory insurance: the declared insurer's record, and a conflict when other records disagree.</summary>
public sealed record CompulsoryCheck(string Status, string? Conflict);

/// <summary>
/// The policy records insurers publish: which insurer covers a plate, and when its compulsory
/// insurance (交强险) runs. Each insurer writes and withdraws only its own records (one per plate
/// and insurer). The status the officer sees comes from the record of the insurer the party
/// declared, so another insurer's record can never turn a lapsed policy into a valid one; where
/// the records disagree the officer is told.
/// </summary>
public sealed class PolicyIndex(Db db, TimeProvider clock)
{
    public async Task<int> UpsertAsync(string insurerCode, IReadOnlyList<(string Plate, string PolicyNumber, DateTimeOffset From, DateTimeOffset To)> records, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        foreach (var (plate, policy, from, to) in records)
        {
            // The key is (plate, insurer): the conflict target can only ever be the sender's own row.
            await c.ExecuteAsync("""
                INSERT INTO policies (plate, insurer_code, policy_number, compulsory_valid_from, compulsory_valid_to, updated_at)
                VALUES (@plate, @insurerCode, @policy, @from, @to, @now)
                ON CONFLICT (plate, insurer_code) DO UPDATE SET policy_number = excluded.policy_number,
                    compulsory_valid_from = excluded.compulsory_valid_from, compulsory_valid_to = excluded.compulsory_valid_to, updated_at = excluded.updated_at
                """, new { plate, insurerCode, policy, from, to, now }, tx);
        }

        await tx.CommitAsync(ct);
        return records.Count;
    }

    /// <summary>Removes the insurer's own records for these plates; other insurers' records stay.</summary>
    public async Task<int> WithdrawAsync(string insurerCode, IReadOnlyList<string> plates, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var removed = 0;
        foreach (var plate in plates.Distinct())
        {
            removed += await c.ExecuteAsync("DELETE FROM policies WHERE plate = @plate AND insurer_code = @insurerCode", new { plate, insurerCode }, tx);
        }

        await tx.CommitAsync(ct);
        return removed;
    }

    /// <summary>
    /// The one insurer whose compulsory insurance covers the plate now, or null when none does or
    /// when several insurers claim it (a conflict is not a suggestion).
    /// </summary>
    public async Task<string?> SuggestAsync(string plate, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        var inForce = (await RecordsAsync(c, plate)).Where(r => r.InForceAt(now)).Select(r => r.InsurerCode).Distinct().ToList();
        return inForce.Count == 1 ? inForce[0] : null;
    }

    /// <summary>Each party's compulsory insurance at the accident time, from its declared insurer's record, with a conflict when other records disagree.</summary>
    public async Task<Dictionary<Guid, CompulsoryCheck>> CompulsoryAsync(
        DateTimeOffset at, IEnumerable<(Guid PartyId, string Plate, string? InsurerCode)> parties, CancellationToken ct)
    {
        var result = new Dictionary<Guid, CompulsoryCheck>();
        await using var c = await db.OpenAsync(ct);
        foreach (var party in parties)
        {
            result[party.PartyId] = Check(await RecordsAsync(c, party.Plate), party.InsurerCode, at);
        }

        return result;
    }

    internal static CompulsoryCheck Check(IReadOnlyList<PolicyRow> records, string? declared, DateTimeOffset at)
    {
        var own = declared is null ? null : records.SingleOrDefault(r => r.InsurerCode == declared);
        var others = records.Where(r => r.InsurerCode != declared).ToList();
        var status = own is null ? CompulsoryInsurance.Unknown
            : own.InForceAt(at) ? CompulsoryInsurance.Valid
            : at < own.CompulsoryValidFrom ? CompulsoryInsurance.NotStarted
            : CompulsoryInsurance.Expired;
        string? conflict = null;
        if (status == CompulsoryInsurance.Valid && others.Any(o => o.CompulsoryValidFrom < own!.CompulsoryValidTo && own.CompulsoryValidFrom < o.CompulsoryValidTo))
        {
            conflict = CompulsoryInsurance.OverlappingCover;
        }
        else if (status != CompulsoryInsurance.Valid && others.Any(o => o.InForceAt(at)))
        {
            conflict = CompulsoryInsurance.OtherInsurerCover;
        }

        return new CompulsoryCheck(status, conflict);
    }

    private static async Task<IReadOnlyList<PolicyRow>> RecordsAsync(System.Data.Common.DbConnection c, string plate) =>
        (await c.QueryAsync<PolicyRow>(
            "SELECT insurer_code, compulsory_valid_from, compulsory_valid_to FROM policies WHERE plate = @plate", new { plate })).ToList();

    internal sealed class PolicyRow
    {
        public string InsurerCode { get; set; } = "";

        public DateTimeOffset CompulsoryValidFrom { get; set; }

        public DateTimeOffset CompulsoryValidTo { get; set; }

        public bool InForceAt(DateTimeOffset at) => CompulsoryValidFrom <= at && at < CompulsoryValidTo;
    }
}
