using AccidentRemote.Server.Data;
using Dapper;

namespace AccidentRemote.Server.Insurers;

public sealed record PolicyRecordInput(string? Plate, string? PolicyNumber, DateTimeOffset? CompulsoryValidFrom, DateTimeOffset? CompulsoryValidTo);

public static class CompulsoryInsurance
{
    public const string Valid = "valid";
    public const string Expired = "expired";
    public const string Unknown = "unknown";
}

/// <summary>
/// The policy records insurers publish: which insurer covers a plate, and when its compulsory
/// insurance (交强险) runs. Suggests the insurer on the driver's form and flags expired
/// compulsory insurance to the officer.
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

    /// <summary>The insurer whose compulsory insurance covers the plate now (the latest-ending one), or null.</summary>
    public async Task<string?> SuggestAsync(string plate, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<string>("""
            SELECT insurer_code FROM policies WHERE plate = @plate AND compulsory_valid_from <= @now AND compulsory_valid_to > @now
            ORDER BY compulsory_valid_to DESC LIMIT 1
            """, new { plate, now });
    }

    /// <summary>valid / expired / unknown for each plate.</summary>
    public async Task<Dictionary<string, string>> CompulsoryStatusAsync(IEnumerable<string> plates, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var result = new Dictionary<string, string>();
        await using var c = await db.OpenAsync(ct);
        foreach (var plate in plates.Distinct())
        {
            // No row, not MAX(): an aggregate over nothing is a NULL row, which the time handler cannot read.
            var latest = await c.QueryFirstOrDefaultAsync<DateTimeOffset?>(
                "SELECT compulsory_valid_to FROM policies WHERE plate = @plate ORDER BY compulsory_valid_to DESC LIMIT 1", new { plate });
            result[plate] = latest is null ? CompulsoryInsurance.Unknown : latest > now ? CompulsoryInsurance.Valid : CompulsoryInsurance.Expired;
        }

        return result;
    }
}
