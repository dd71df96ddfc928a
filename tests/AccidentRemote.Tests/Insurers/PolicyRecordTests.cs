using System.Text.Json;
using AccidentRemote.Server.Data;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Insurers;

/// <summary>
/// Each insurer writes only its own policy records; the officer sees the compulsory insurance of
/// the party's declared insurer, and a conflict when another insurer's records disagree.
/// </summary>
public sealed class PolicyRecordTests
{
    private static readonly string[] Plate = ["京A12345"];

    [Theory]
    [BothDatabases]
    public async Task A_rival_insurers_record_never_turns_a_lapsed_compulsory_insurance_valid_and_is_flagged(DatabaseProvider provider)
    {
        await using var host = await InsurerHost.StartAsync(provider);
        var picc = await host.InsurerAsync("picc.desk", "picc");
        var pingan = await host.InsurerAsync("pa.desk", "pingan");
        var now = DateTimeOffset.UtcNow;

        // PICC insures 京A12345, whose compulsory insurance lapsed two months ago; Ping An claims it is valid.
        await picc.PostJsonAsync("/api/insurer/policies", new[] { Record("京A12345", "PICC-2025-0001", now.AddMonths(-14), now.AddMonths(-2)) });
        await pingan.PostJsonAsync("/api/insurer/policies", new[] { Record("京A12345", "PA-2026-0001", now.AddMonths(-1), now.AddMonths(11)) });
        var officer = await host.App.OfficerClientAsync();
        var lapsed = await PartyAsync(host, officer, "京A12345", "picc");
        Assert.Equal("expired", lapsed.GetProperty("compulsoryInsurance").GetString());
        Assert.Equal("other_insurer_cover", lapsed.GetProperty("compulsoryConflict").GetString());

        // Ping An cannot write a record in PICC's name.
        var forged = await pingan.PostJsonAsync("/api/insurer/policies",
            new[] { new { plate = "京A12345", policyNumber = "PICC-FORGED-1", compulsoryValidFrom = now.AddMonths(-1), compulsoryValidTo = now.AddMonths(11), insurerCode = "picc" } }, 400);
        Assert.True(forged.GetProperty("errors").TryGetProperty("[0].insurerCode", out _));

        // The party who declared Ping An: Ping An's record is in force, and nobody else's overlaps it.
        var declaredPingan = await PartyAsync(host, officer, "京A12345", "pingan");
        Assert.Equal("valid", declaredPingan.GetProperty("compulsoryInsurance").GetString());
        Assert.Equal(JsonValueKind.Null, declaredPingan.GetProperty("compulsoryConflict").ValueKind);

        // Ping An withdraws: only its own record goes; PICC's lapsed one stays, and with no rival record there is no conflict.
        Assert.Equal(1, (await pingan.PostJsonAsync("/api/insurer/policies/withdraw", Plate)).GetProperty("withdrawn").GetInt32());
        Assert.Equal(0, (await pingan.PostJsonAsync("/api/insurer/policies/withdraw", Plate)).GetProperty("withdrawn").GetInt32());
        var after = await PartyAsync(host, officer, "京A12345", "picc");
        Assert.Equal("expired", after.GetProperty("compulsoryInsurance").GetString());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("compulsoryConflict").ValueKind);

        // Ping An republishing the plate cannot overwrite PICC's record: PICC's policy is still the lapsed one.
        await pingan.PostJsonAsync("/api/insurer/policies", new[] { Record("京A12345", "PA-2026-0002", now.AddMonths(-3), now.AddMonths(9)) });
        Assert.Equal("expired", (await PartyAsync(host, officer, "京A12345", "picc")).GetProperty("compulsoryInsurance").GetString());

        // Two valid compulsory policies over overlapping dates: flagged to the officer, and neither is suggested.
        await picc.PostJsonAsync("/api/insurer/policies", new[] { Record("沪AD12345", "PICC-2026-0002", now.AddMonths(-3), now.AddMonths(9)) });
        await pingan.PostJsonAsync("/api/insurer/policies", new[] { Record("沪AD12345", "PA-2026-0003", now.AddMonths(-1), now.AddMonths(11)) });
        var overlapping = await PartyAsync(host, officer, "沪AD12345", "picc");
        Assert.Equal("valid", overlapping.GetProperty("compulsoryInsurance").GetString());
        Assert.Equal("overlapping_cover", overlapping.GetProperty("compulsoryConflict").GetString());

        // The party who declared no insurer: the status is not taken from whichever record is there.
        var undeclared = await PartyAsync(host, officer, "沪AD12345", null);
        Assert.Equal("unknown", undeclared.GetProperty("compulsoryInsurance").GetString());
    }

    [Theory]
    [BothDatabases]
    public async Task Policy_dates_are_bounded_and_each_wrong_field_is_named_and_nothing_is_stored(DatabaseProvider provider)
    {
        await using var host = await InsurerHost.StartAsync(provider);
        var picc = await host.InsurerAsync("picc.desk", "picc");
        var now = DateTimeOffset.UtcNow;
        var bad = await picc.PostJsonAsync("/api/insurer/policies", new object[]
        {
            Record("京A11111", "PICC-OK-00001", now.AddMonths(-1), now.AddMonths(11)), // fine, but the batch is refused as a whole
            Record("京A22222", "PICC-BAD-0001", now, now.AddDays(-1)), // ends before it starts
            Record("京A33333", "PICC-BAD-0002", now.AddYears(-30), now.AddYears(-29)), // absurdly old
            Record("京A44444", "PICC-BAD-0003", now.AddYears(5), now.AddYears(6)), // absurdly far ahead
            Record("京A55555", "PICC-BAD-0004", now.AddMonths(-1), now.AddYears(20)), // a 20-year 交强险 does not exist
            new { plate = "京A66666", policyNumber = "PICC-BAD-0005", compulsoryValidTo = now.AddMonths(6) }, // no start
            Record("京A11111", "PICC-BAD-0006", now.AddMonths(-1), now.AddMonths(11)), // the same plate twice
        }, 400);
        var errors = bad.GetProperty("errors");
        Assert.Equal(["[1].compulsoryValidTo", "[2].compulsoryValidFrom", "[3].compulsoryValidFrom", "[4].compulsoryValidTo", "[5].compulsoryValidFrom", "[6].plate"],
            errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal).ToArray());

        var officer = await host.App.OfficerClientAsync();
        Assert.Equal("unknown", (await PartyAsync(host, officer, "京A11111", "picc")).GetProperty("compulsoryInsurance").GetString());

        // A renewal sold ahead, starting within the bounds, is accepted and not yet in force.
        await picc.PostJsonAsync("/api/insurer/policies", new[] { Record("京A11111", "PICC-OK-00002", now.AddDays(30), now.AddDays(30).AddYears(1)) });
        Assert.Equal("not_started", (await PartyAsync(host, officer, "京A11111", "picc")).GetProperty("compulsoryInsurance").GetString());
    }

    private static object Record(string plate, string policyNumber, DateTimeOffset from, DateTimeOffset to) =>
        new { plate, policyNumber, compulsoryValidFrom = from, compulsoryValidTo = to };

    /// <summary>A one-vehicle report with this plate and declared insurer, accepted by the officer; returns the party as the officer's console reads it.</summary>
    private static async Task<JsonElement> PartyAsync(InsurerHost host, HttpClient officer, string plate, string? insurer)
    {
        var body = Api.Report(plate, insurer, parties: 1);
        if (insurer is null)
        {
            body["policyNumber"] = null;
        }

        var report = await host.App.CreateClient().PostJsonAsync("/api/cases", body, 201);
        var caseId = report.GetProperty("caseId").GetString();
        await officer.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        return (await officer.GetJsonAsync($"/api/cases/{caseId}")).GetProperty("parties")[0];
    }
}
