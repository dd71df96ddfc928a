using System.Net;
using System.Text.Json;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Data;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Cases;

/// <summary>
/// The one rule of who sees a case (Cases/CaseAccessRule) on SQLite and PostgreSQL: personal data only for the
/// officer who accepted the case and supervisors, each such read in the audit log, which only supervisors list.
/// </summary>
public sealed class CaseAccessTests
{
    private static readonly string[] PersonalFields = ["name", "idNumber", "phone", "policyNumber"];

    private static readonly string[] Personal = ["13812345678", "13912345678", "PDAA202611000001", "张伟", "李娜", .. Api.IdNumbers[..2]];

    [Theory]
    [BothDatabases]
    public async Task Only_the_accepting_officer_and_supervisors_read_personal_data_and_each_read_is_an_audit_entry(DatabaseProvider provider)
    {
        await using var postgres = provider == DatabaseProvider.Postgres ? await PostgresDatabase.CreateAsync() : null;
        await using var vhost = provider == DatabaseProvider.Postgres ? await RabbitVhost.CreateAsync() : null;
        using var app = postgres is null ? TestApp.Embedded() : TestApp.Production(postgres.ConnectionString, vhost!.Name);
        var anonymous = app.CreateClient();
        var handling = await app.OfficerClientAsync("handling1");
        var other = await app.OfficerClientAsync("other2");
        var supervisor = await app.OfficerClientAsync("super3", Roles.Supervisor);
        var (caseId, _) = await Api.CaseReadyToCloseAsync(anonymous, handling);
        await handling.PostJsonAsync($"/api/cases/{caseId}/close", null);

        // Another officer: the case and its vehicles, nobody's name, ID number, phone or policy.
        var seen = await other.GetJsonAsync($"/api/cases/{caseId}");
        Assert.Equal("closed", seen.GetProperty("status").GetString());
        Assert.All(seen.GetProperty("parties").EnumerateArray(), p =>
        {
            Assert.False(string.IsNullOrEmpty(p.GetProperty("plate").GetString()));
            foreach (var field in PersonalFields)
            {
                Assert.Equal(JsonValueKind.Null, p.GetProperty(field).ValueKind);
            }
        });
        AssertNoPersonalData(seen.GetRawText());
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync($"/api/cases/{caseId}/fraud-signals")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync($"/api/cases/{caseId}/claims")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/cases/{caseId}/document/pdf")).StatusCode);
        var otherClaims = await other.GetJsonAsync("/api/claims");
        Assert.DoesNotContain(otherClaims.EnumerateArray(), c => c.GetProperty("caseId").GetString() == caseId);
        if (provider == DatabaseProvider.Sqlite)
        {
            // The embedded insurer inbox holds whole claims: not for an officer who did not handle the case.
            await Eventually.Until(() => handling.GetJsonAsync("/api/embedded-insurers/picc/inbox"), i => i.GetArrayLength() == 1, "picc's claim in the embedded inbox");
            Assert.Empty((await other.GetJsonAsync("/api/embedded-insurers/picc/inbox")).EnumerateArray());
        }

        // The officer who handled it and a supervisor see everything; each read is one audit entry.
        var before = await ReadsAsync(supervisor, caseId);
        var full = await handling.GetJsonAsync($"/api/cases/{caseId}");
        Assert.Equal("13812345678", full.GetProperty("parties")[0].GetProperty("phone").GetString());
        Assert.Equal(Api.IdNumbers[1], full.GetProperty("parties")[1].GetProperty("idNumber").GetString());
        Assert.Equal("PDAA202611000001", full.GetProperty("parties")[0].GetProperty("policyNumber").GetString());
        var afterOfficer = await ReadsAsync(supervisor, caseId);
        var entry = Assert.Single(afterOfficer.Except(before));
        Assert.Contains("user=handling1", entry, StringComparison.Ordinal);
        Assert.Contains("read=name,phone,policyNumber,idNumber; via=case", entry, StringComparison.Ordinal);

        Assert.Equal(JsonValueKind.Array, (await handling.GetJsonAsync($"/api/cases/{caseId}/fraud-signals")).ValueKind);
        Assert.Contains((await handling.GetJsonAsync("/api/claims")).EnumerateArray(), c => c.GetProperty("caseId").GetString() == caseId);
        Assert.Equal(2, (await handling.GetJsonAsync($"/api/cases/{caseId}/claims")).GetArrayLength());

        var bySupervisor = await supervisor.GetJsonAsync($"/api/cases/{caseId}");
        Assert.Equal("张伟", bySupervisor.GetProperty("parties")[0].GetProperty("name").GetString());
        var afterSupervisor = await ReadsAsync(supervisor, caseId);
        Assert.Contains("user=super3", Assert.Single(afterSupervisor.Except(afterOfficer)), StringComparison.Ordinal);

        // The document prints the personal data: downloading it is a read too.
        Assert.Equal(HttpStatusCode.OK, (await handling.GetAsync($"/api/cases/{caseId}/document/pdf")).StatusCode);
        Assert.Contains("via=document.pdf; user=handling1", Assert.Single((await ReadsAsync(supervisor, caseId)).Except(afterSupervisor)), StringComparison.Ordinal);

        // The other officer's reads of the case without personal data were not audited as reads of it.
        Assert.DoesNotContain(await ReadsAsync(supervisor, caseId), e => e.Contains("user=other2", StringComparison.Ordinal));

        // Only supervisors list the reads; the entries are part of the intact hash chain.
        Assert.Equal(HttpStatusCode.Forbidden, (await handling.GetAsync($"/api/audit/reads?caseId={caseId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync("/api/audit/reads")).StatusCode);
        Assert.True((await supervisor.GetJsonAsync("/api/audit/verify")).GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task A_party_sees_its_own_data_and_the_other_drivers_phone_and_ID_number_masked()
    {
        using var app = TestApp.Embedded();
        var anonymous = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var (caseId, _, tokens) = await Api.CaseWithLiabilityAsync(anonymous, officer);
        await Api.GiveDetailsAndSignAsync(anonymous, officer, caseId, tokens);

        var mine = await app.PartyClient(tokens[0]).GetJsonAsync($"/api/cases/{caseId}");
        Assert.Equal("13812345678", mine.GetProperty("parties")[0].GetProperty("phone").GetString());
        Assert.Equal(Api.IdNumbers[0], mine.GetProperty("parties")[0].GetProperty("idNumber").GetString());
        Assert.Equal("139****5678", mine.GetProperty("parties")[1].GetProperty("phone").GetString());
        Assert.DoesNotContain(Api.IdNumbers[1], mine.GetRawText(), StringComparison.Ordinal);

        // The answer to a party's own change (its signature, its details) follows the same rule.
        var details = await (await Api.Authorized(anonymous, HttpMethod.Put, $"/api/cases/{caseId}/parties/me", tokens[1], new { name = "李娜", idNumber = Api.IdNumbers[1] })).JsonAsync(200);
        Assert.Equal("138****5678", details.GetProperty("parties")[0].GetProperty("phone").GetString());
        Assert.DoesNotContain(Api.IdNumbers[0], details.GetRawText(), StringComparison.Ordinal);
    }

    private static void AssertNoPersonalData(string json)
    {
        foreach (var value in Personal)
        {
            Assert.DoesNotContain(value, json, StringComparison.Ordinal);
        }
    }

    private static async Task<List<string>> ReadsAsync(HttpClient supervisor, string caseId) =>
        (await supervisor.GetJsonAsync($"/api/audit/reads?caseId={caseId}")).EnumerateArray()
            .Select(e => $"{e.GetProperty("seq").GetInt64()} {e.GetProperty("actor").GetString()} {e.GetProperty("detail").GetString()}").ToList();
}
