using Dapper;
using Npgsql;

namespace AccidentRemote.Tests.Infrastructure;

/// <summary>
/// Many cases ready to close, fast: one made through the real API (report, join, accept, vehicles
/// moved, liability, details, document, both signatures), then copied in SQL with new ids, case
/// numbers, join codes, tokens, plates and document numbers. Preparing 1,000 through the API takes
/// over a minute here; copying takes about a second. Closing them is still the real close.
/// </summary>
public static class ReadyCases
{
    /// <summary>
    /// A two-party case awaiting closure where only party 1 is insured (with <paramref name="insurer"/>),
    /// so closing it writes exactly one claim. Returns the case id.
    /// </summary>
    public static async Task<Guid> TemplateAsync(HttpClient anonymous, HttpClient officer, string insurer)
    {
        var report = await anonymous.PostJsonAsync("/api/cases", Api.Report("京A10000", insurer), 201);
        var caseId = report.GetProperty("caseId").GetString()!;
        var joined = await anonymous.PostJsonAsync("/api/cases/join", Api.Join(report.GetProperty("joinCode").GetString()!, "沪B10000", insurer: null), 201);
        string[] tokens = [report.GetProperty("partyToken").GetString()!, joined.GetProperty("partyToken").GetString()!];
        await officer.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        var moved = await officer.PostJsonAsync($"/api/cases/{caseId}/vehicles-moved", null);
        var partyIds = moved.GetProperty("parties").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToArray();
        var liability = new { scenario = "rear-end", facts = "乙车追尾甲车", parties = new[] { new { partyId = partyIds[0], liability = "none" }, new { partyId = partyIds[1], liability = "full" } } };
        await (await officer.PutAsync($"/api/cases/{caseId}/liability", System.Net.Http.Json.JsonContent.Create(liability))).JsonAsync(200);
        await Api.GiveDetailsAndSignAsync(anonymous, officer, caseId, tokens);
        return Guid.Parse(caseId);
    }

    /// <summary>
    /// Copies the case, its parties and its documents <paramref name="count"/> times in one
    /// transaction. Signatures and events are not copied: closing checks the latest document's
    /// status, which the last signature set to signed. The copies' PDF bytes are a short marker,
    /// not the ~200 KB original: a claim carries the document's number, code and hash, not its bytes.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> CloneAsync(string connectionString, Guid template, int count)
    {
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync();
        await using var tx = await c.BeginTransactionAsync();
        // SELECT * into a temporary table, change the unique columns, INSERT back: no column list to keep in step with migrations.
        await c.ExecuteAsync("""
            CREATE TEMP TABLE clone_map ON COMMIT DROP AS
                SELECT n AS clone_n, gen_random_uuid()::text AS clone_case FROM generate_series(1, @count) AS n;

            CREATE TEMP TABLE clone_cases ON COMMIT DROP AS
                SELECT k.*, m.clone_n, m.clone_case FROM cases k CROSS JOIN clone_map m WHERE k.id = @template;
            UPDATE clone_cases SET id = clone_case, case_number = case_number || '-' || clone_n, join_code = NULL;
            ALTER TABLE clone_cases DROP COLUMN clone_n, DROP COLUMN clone_case;
            INSERT INTO cases SELECT * FROM clone_cases;

            CREATE TEMP TABLE clone_parties ON COMMIT DROP AS
                SELECT p.*, m.clone_n, m.clone_case FROM parties p CROSS JOIN clone_map m WHERE p.case_id = @template;
            UPDATE clone_parties SET id = gen_random_uuid()::text, case_id = clone_case, token_hash = md5(random()::text || clone_case || party_number),
                plate = left(plate, 2) || lpad((clone_n * 10 + party_number)::text, 5, '0');
            ALTER TABLE clone_parties DROP COLUMN clone_n, DROP COLUMN clone_case;
            INSERT INTO parties SELECT * FROM clone_parties;

            CREATE TEMP TABLE clone_documents ON COMMIT DROP AS
                SELECT d.*, m.clone_n, m.clone_case FROM documents d CROSS JOIN clone_map m WHERE d.case_id = @template;
            UPDATE clone_documents SET id = gen_random_uuid()::text, case_id = clone_case,
                number = number || '-' || clone_n, verification_code = verification_code || clone_n,
                pdf = convert_to('copy of ' || number, 'UTF8');
            ALTER TABLE clone_documents DROP COLUMN clone_n, DROP COLUMN clone_case;
            INSERT INTO documents SELECT * FROM clone_documents;
            """, new { count, template = template.ToString() }, tx);
        var ids = (await c.QueryAsync<string>("SELECT clone_case FROM clone_map ORDER BY clone_n", transaction: tx)).Select(Guid.Parse).ToList();
        await tx.CommitAsync();
        return ids;
    }
}
