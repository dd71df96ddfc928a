using System.Data.Common;
using System.Globalization;
using AccidentRemote.Server.Cases;
using Dapper;

namespace AccidentRemote.Server.Fraud;

/// <summary>
/// A reason to look twice at a case; shown to the officer and sent with each claim. <paramref name="Description"/>
/// is English for the record; <paramref name="Facts"/> are the same facts by name, from which the pages say it in
/// their language (i18n <c>fraudDetail.{code}</c>).
/// </summary>
public sealed record FraudSignal(string Code, string Description, IReadOnlyDictionary<string, string>? Facts = null);

/// <summary>
/// Patterns insurers and the police look for in staged or inflated claims. Signals, not verdicts:
/// each one says what was seen, and the officer and insurer decide.
/// </summary>
public static class FraudSignals
{
    public const int RepeatPlateCases = 3;
    public static readonly TimeSpan RepeatWindow = TimeSpan.FromDays(365);
    public static readonly TimeSpan LateReport = TimeSpan.FromHours(2);
    public const double FarFromPlaceMetres = 2000;

    public static async Task<IReadOnlyList<FraudSignal>> ComputeAsync(DbConnection c, DbTransaction? tx, CaseDetails details, DateTimeOffset now)
    {
        var signals = new List<FraudSignal>();
        var since = now - RepeatWindow;
        foreach (var party in details.Parties)
        {
            var cases = await c.ExecuteScalarAsync<int>("""
                SELECT COUNT(DISTINCT p.case_id) FROM parties p JOIN cases k ON k.id = p.case_id
                WHERE p.plate = @plate AND k.reported_at >= @since
                """, new { plate = party.Plate, since }, tx);
            if (cases >= RepeatPlateCases)
            {
                signals.Add(new("repeat-plate", $"{party.Plate} is in {cases} cases within 12 months.",
                    Facts(("plate", party.Plate), ("cases", cases))));
            }
        }

        for (var i = 0; i < details.Parties.Count; i++)
        {
            for (var j = i + 1; j < details.Parties.Count; j++)
            {
                var a = details.Parties[i].Plate;
                var b = details.Parties[j].Plate;
                var again = await c.ExecuteScalarAsync<int>("""
                    SELECT COUNT(*) FROM parties x JOIN parties y ON x.case_id = y.case_id AND x.id <> y.id
                    WHERE x.plate = @a AND y.plate = @b AND x.case_id <> @caseId
                    """, new { a, b, caseId = details.Case.Id }, tx);
                if (again > 0)
                {
                    signals.Add(new("repeat-pair", $"{a} and {b} were in an accident together before ({again} other case(s)).",
                        Facts(("a", a), ("b", b), ("cases", again))));
                }
            }
        }

        var delay = details.Case.ReportedAt - details.Case.AccidentTime;
        if (delay > LateReport)
        {
            signals.Add(new("late-report", $"Reported {delay.TotalHours:0.#} hours after the stated accident time.",
                Facts(("hours", delay.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)))));
        }

        if (details.Case.Latitude is { } lat && details.Case.Longitude is { } lng)
        {
            foreach (var party in details.Parties.Where(p => p.DeviceLatitude is not null && p.DeviceLongitude is not null))
            {
                var metres = CaseStore.DistanceMetres(lat, lng, party.DeviceLatitude!.Value, party.DeviceLongitude!.Value);
                if (metres > FarFromPlaceMetres)
                {
                    signals.Add(new("far-from-place", $"Party {party.PartyNumber}'s phone was {metres / 1000:0.#} km from the stated place when reporting.",
                        Facts(("n", party.PartyNumber), ("km", (metres / 1000).ToString("0.#", CultureInfo.InvariantCulture)))));
                }
            }
        }

        return signals;
    }

    private static Dictionary<string, string> Facts(params (string Name, object Value)[] facts) =>
        facts.ToDictionary(f => f.Name, f => Convert.ToString(f.Value, CultureInfo.InvariantCulture) ?? "");
}
