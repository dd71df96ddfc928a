using AccidentRemote.Server.Data;
using AccidentRemote.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Audit;

/// <summary>The hash-chained audit log on both databases: intact after real work, and an edited or removed row is named.</summary>
public sealed class AuditLogTests
{
    [Theory]
    [BothDatabases]
    public async Task The_chain_is_intact_after_a_case_and_names_the_first_edited_or_missing_entry(DatabaseProvider provider)
    {
        await using var pg = provider == DatabaseProvider.Postgres ? await PostgresDatabase.CreateAsync() : null;
        using var app = pg is null
            ? TestApp.Embedded()
            : TestApp.WithSettings(new() { ["Database:Provider"] = "Postgres", ["Database:ConnectionString"] = pg.ConnectionString, ["Bus:Transport"] = "InMemory" });
        var officer = await app.OfficerClientAsync("sup", "supervisor");
        var (caseId, _) = await Api.CaseReadyToCloseAsync(app.CreateClient(), officer);
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);

        var report = await officer.GetJsonAsync("/api/audit/verify");
        Assert.True(report.GetProperty("intact").GetBoolean());
        Assert.True(report.GetProperty("entries").GetInt64() >= 6, "report, join, accept, moved, liability, close");

        var db = app.Services.GetRequiredService<Db>();
        await using var c = await db.OpenAsync();
        var kinds = (await c.QueryAsync<string>("SELECT kind FROM audit_log ORDER BY seq")).ToList();
        Assert.Equal(["reported", "queued", "joined", "accepted", "vehicles_moved", "liability_determined",
            "details_given", "details_given", "awaiting_signatures", "signed", "signed", "document_signed", "closed"], kinds.Where(k => k != "personal_data_read"));
        // The supervisor's changes answered with the case, names and numbers included: each answer is a read in the chain.
        Assert.Equal(4, kinds.Count(k => k == "personal_data_read"));

        // The database itself refuses edits…
        await Assert.ThrowsAnyAsync<Exception>(() => c.ExecuteAsync("UPDATE audit_log SET detail = 'forged' WHERE seq = 3"));
        await Assert.ThrowsAnyAsync<Exception>(() => c.ExecuteAsync("DELETE FROM audit_log WHERE seq = 3"));

        // …and someone who switches that off is still caught by the chain.
        await c.ExecuteAsync(provider == DatabaseProvider.Postgres
            ? "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update"
            : "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete");
        await c.ExecuteAsync("UPDATE audit_log SET actor = 'officer:someone-else' WHERE seq = 3");
        var broken = await officer.GetJsonAsync("/api/audit/verify");
        Assert.False(broken.GetProperty("intact").GetBoolean());
        Assert.Equal(3, broken.GetProperty("firstBrokenSeq").GetInt64());
        Assert.Contains("changed", broken.GetProperty("problem").GetString(), StringComparison.Ordinal);

        await c.ExecuteAsync("DELETE FROM audit_log WHERE seq <= 3");
        var missing = await app.Services.GetRequiredService<AuditLog>().VerifyAsync(CancellationToken.None);
        Assert.Equal(4, missing.FirstBrokenSeq);
        Assert.Contains("missing", missing.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_supervisors_can_run_the_check()
    {
        using var app = TestApp.Embedded();
        var officer = await app.OfficerClientAsync();
        await officer.GetJsonAsync("/api/audit/verify", 403);
    }
}
