using System.Net;
using AccidentRemote.Server.Data;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Evidence;

/// <summary>How much evidence a party and a case may hold, and how fast it may arrive; refusals a driver can act on, in zh-CN and en.</summary>
public sealed class EvidenceBudgetTests
{
    [Theory]
    [BothDatabases]
    public async Task A_party_and_a_case_have_budgets_of_items_and_bytes_and_an_upload_past_them_is_refused_saying_what_to_do(DatabaseProvider provider)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Evidence:MaxBytes"] = "65536",
            ["Evidence:MaxBytesPerParty"] = "100000",
            ["Evidence:MaxItemsPerParty"] = "3",
            ["Evidence:MaxItemsPerCase"] = "4",
            ["Evidence:MaxBytesPerCase"] = "1000000",
        };
        await using var postgres = provider == DatabaseProvider.Postgres ? await PostgresDatabase.CreateAsync() : null;
        await using var vhost = provider == DatabaseProvider.Postgres ? await RabbitVhost.CreateAsync() : null;
        using var host = postgres is null ? EvidenceHost.Embedded(settings) : EvidenceHost.Production(postgres.ConnectionString, vhost!.Name, settings);
        var kase = await TestCase.CreateAsync(host);
        var party1 = host.Party(kase.Party1Token);
        var party2 = host.Party(kase.Party2Token);
        party2.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        party1.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");

        // Party 2: three photos of about 40 KB each pass its 100 000-byte budget at the third.
        var big = Enumerable.Range(1, 3).Select(seed => TestFiles.Png(115, 115, noise: true, seed: seed)).ToArray();
        Assert.All(big, b => Assert.InRange(b.Length, 35_000, 65_536));
        await Upload.PostAsync(party2, kase.CaseId, big[0], 201);
        await Upload.PostAsync(party2, kase.CaseId, big[1], 201);
        var blobs = host.Blobs().Length;
        var bytes = await Upload.PostAsync(party2, kase.CaseId, big[2], 409);
        Assert.Equal("You have sent as much evidence for this case as is accepted.", bytes.GetProperty("title").GetString());
        Assert.Contains("up to 3 files", bytes.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("party", bytes.GetProperty("budget").GetString());
        Assert.Equal(blobs, host.Blobs().Length);
        Assert.Empty(host.Incoming());

        // Party 1: its own budget is untouched, but the case holds at most 4 items.
        await Upload.PostAsync(party1, kase.CaseId, TestFiles.Png(3, 2), 201);
        await Upload.PostAsync(party1, kase.CaseId, TestFiles.Png(4, 2), 201);
        var full = await Upload.PostAsync(party1, kase.CaseId, TestFiles.Png(5, 2), 409);
        Assert.Equal("本案的材料已达上限。", full.GetProperty("title").GetString());
        Assert.Equal("case", full.GetProperty("budget").GetString());
        Assert.Equal(4, (await party1.GetJsonAsync($"/api/cases/{kase.CaseId}/evidence")).GetArrayLength());

        // A party at its item count is refused before its file is even stored.
        await Upload.PostAsync(party2, kase.CaseId, TestFiles.Png(6, 2), 409);
        Assert.Empty(host.Incoming());
    }

    [Fact]
    public async Task Uploads_are_rate_limited_per_party_and_per_client_with_a_429_that_says_when_to_try_again()
    {
        using var host = EvidenceHost.Embedded(new()
        {
            ["Evidence:UploadsPerMinutePerParty"] = "2",
            ["Evidence:UploadsPerMinutePerClient"] = "4",
        });
        var kase = await TestCase.CreateAsync(host);
        var party1 = host.Party(kase.Party1Token);
        var party2 = host.Party(kase.Party2Token);
        party1.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        party2.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");

        await Upload.PostAsync(party1, kase.CaseId, TestFiles.Png(3, 2), 201);
        await Upload.PostAsync(party1, kase.CaseId, TestFiles.Png(4, 2), 201);
        var tooFast = await Upload.PostAsync(party1, kase.CaseId, TestFiles.Png(5, 2));
        Assert.Equal(HttpStatusCode.TooManyRequests, tooFast.StatusCode);
        Assert.Equal("60", tooFast.Headers.RetryAfter?.ToString());
        var problem = await tooFast.JsonAsync(429);
        Assert.Equal("Uploads are coming too fast.", problem.GetProperty("title").GetString());
        Assert.Contains("Up to 2 files a minute", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The other party has its own budget, but all four requests came from one client address: its fifth is refused too.
        await Upload.PostAsync(party2, kase.CaseId, TestFiles.Png(6, 2), 201);
        var client = await Upload.PostAsync(party2, kase.CaseId, TestFiles.Png(7, 2));
        var clientProblem = await client.JsonAsync(429);
        Assert.Equal("上传太快了。", clientProblem.GetProperty("title").GetString());
        Assert.Contains("每分钟最多上传 4 个文件", clientProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, (await party1.GetJsonAsync($"/api/cases/{kase.CaseId}/evidence")).GetArrayLength());
    }
}
