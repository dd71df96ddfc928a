using System.Net;
using System.Net.Http.Json;
using AccidentRemote.Server.Data;
using AccidentRemote.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Documents;

/// <summary>Issuing the document and moving the case to awaiting_signatures are one transaction, on SQLite and PostgreSQL.</summary>
public sealed class DocumentIssueTests
{
    [Theory, BothDatabases]
    public async Task An_issue_refused_by_the_case_transition_leaves_no_orphan_document_version(DatabaseProvider provider)
    {
        await using var pg = provider == DatabaseProvider.Postgres ? await PostgresDatabase.CreateAsync() : null;
        using var app = pg is null
            ? TestApp.Embedded()
            : TestApp.WithSettings(new() { ["Database:Provider"] = "Postgres", ["Database:ConnectionString"] = pg.ConnectionString, ["Bus:Transport"] = "InMemory" });
        var anonymous = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var (caseId, _, tokens) = await Api.CaseWithLiabilityAsync(anonymous, officer);
        for (var i = 0; i < tokens.Length; i++)
        {
            await (await Api.Authorized(anonymous, HttpMethod.Put, $"/api/cases/{caseId}/parties/me", tokens[i], new { name = "甲乙"[i] + "某", idNumber = Api.IdNumbers[i] })).JsonAsync(200);
        }

        // Several issues at the same moment: each passes the checks on the case as it was, only one may move it.
        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            officer.PostAsJsonAsync($"/api/cases/{caseId}/document", new { weather = "晴" })));

        // Re-issuing while awaiting signatures is allowed, so more than one may succeed when they run one after
        // another (SQLite always serialises them); what must never happen is a version whose issue was refused.
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var succeeded = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        await using var c = await app.Services.GetRequiredService<Db>().OpenAsync();
        var versions = (await c.QueryAsync<int>("SELECT version FROM documents WHERE case_id = @caseId ORDER BY version", new { caseId = Guid.Parse(caseId) })).ToList();
        Assert.Equal(Enumerable.Range(1, succeeded), versions);
        var current = await officer.GetJsonAsync($"/api/cases/{caseId}/document");
        Assert.Equal(succeeded, current.GetProperty("version").GetInt32());
        Assert.Equal("awaiting_signatures", current.GetProperty("status").GetString());
    }
}
