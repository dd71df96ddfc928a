using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AccidentRemote.Server.Data;
using AccidentRemote.Server.Signalling;
using AccidentRemote.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Signalling;

/// <summary>
/// Canned phrases (POST /api/cases/{id}/phrases): only the officer handling the case, only to a party of that
/// case, only a known key, a limited number a minute; recorded on the case and pushed to that party only.
/// </summary>
public sealed class PhraseTests : IAsyncLifetime
{
    private readonly TestApp app = TestApp.Embedded();
    private Uri address = null!;
    private HttpClient officer = null!;

    public async ValueTask InitializeAsync()
    {
        address = app.StartKestrel();
        officer = await app.OfficerClientAsync("phrase-officer");
    }

    public ValueTask DisposeAsync()
    {
        officer.Dispose();
        app.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed record Party(string CaseId, string PartyId, string Token);

    private async Task<(Party First, Party Second)> AcceptedTwoPartyCaseAsync(HttpClient by, string plate1, string plate2)
    {
        var anonymous = app.RealClient();
        var report = await anonymous.PostJsonAsync("/api/cases", Api.Report(plate1), 201);
        var joined = await anonymous.PostJsonAsync("/api/cases/join", Api.Join(report.GetProperty("joinCode").GetString()!, plate2), 201);
        var caseId = report.GetProperty("caseId").GetString()!;
        await by.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        return (new Party(caseId, report.GetProperty("partyId").GetString()!, report.GetProperty("partyToken").GetString()!),
                new Party(caseId, joined.GetProperty("partyId").GetString()!, joined.GetProperty("partyToken").GetString()!));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string caseId, string? partyId, string? key) =>
        client.PostAsJsonAsync($"/api/cases/{caseId}/phrases", new { partyId, key });

    [Fact]
    public async Task The_handling_officers_phrase_reaches_only_the_addressed_party_and_is_recorded_on_the_case()
    {
        var (p1, p2) = await AcceptedTwoPartyCaseAsync(officer, "京A12345", "沪AD12345");
        await using var phone1 = await HubClient.ConnectAsync(address, p1.Token);
        await using var phone2 = await HubClient.ConnectAsync(address, p2.Token);

        await (await SendAsync(officer, p1.CaseId, p1.PartyId, "hazard-lights")).JsonAsync(202);
        var phrase = await phone1.WaitForAsync("Phrase");
        Assert.Equal("hazard-lights", phrase.GetProperty("key").GetString());
        Assert.Equal(p1.PartyId, phrase.GetProperty("partyId").GetString());
        Assert.Equal(p1.CaseId, phrase.GetProperty("caseId").GetString());

        // The other party hears nothing (checked after a later push to it has arrived).
        await (await SendAsync(officer, p1.CaseId, p2.PartyId, "please-wait")).JsonAsync(202);
        await phone2.WaitForAsync("Phrase", p => p.GetProperty("key").GetString() == "please-wait");
        Assert.DoesNotContain(phone2.All("Phrase"), p => p.GetProperty("key").GetString() == "hazard-lights");
        Assert.Single(phone1.All("Phrase"));
        // A phrase is quiet: it does not push the case's state to everyone.
        Assert.Empty(phone2.All("CaseChanged"));

        await using var c = await app.Services.GetRequiredService<Db>().OpenAsync(CancellationToken.None);
        var details = (await c.QueryAsync<string>("SELECT detail FROM case_events WHERE case_id = @caseId AND kind = 'phrase' ORDER BY at",
            new { caseId = p1.CaseId })).ToList();
        Assert.Equal([$"hazard-lights:{p1.PartyId}", $"please-wait:{p2.PartyId}"], details);
    }

    [Fact]
    public async Task Another_officers_case_an_unknown_phrase_a_party_of_another_case_and_a_party_token_are_refused()
    {
        var (mine, _) = await AcceptedTwoPartyCaseAsync(officer, "京A22345", "沪AD22345");
        using var colleague = await app.OfficerClientAsync("phrase-colleague");
        var (theirs, theirOther) = await AcceptedTwoPartyCaseAsync(colleague, "京A32345", "沪AD32345");
        await using var phone = await HubClient.ConnectAsync(address, theirs.Token);

        // Another officer's case: 403, whatever the party.
        var other = await SendAsync(officer, theirs.CaseId, theirs.PartyId, "please-wait");
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);

        // An unknown key: 400 saying to choose from the list.
        var unknown = await (await SendAsync(officer, mine.CaseId, mine.PartyId, "<script>")).JsonAsync(400);
        var keyErrors = unknown.GetProperty("errors").GetProperty("key")[0].GetString()!;
        Assert.Contains("没有这条常用语", keyErrors, StringComparison.Ordinal);

        // A party of another case, on my case: 400, and nothing reaches that party.
        var stranger = await (await SendAsync(officer, mine.CaseId, theirOther.PartyId, "please-wait")).JsonAsync(400);
        Assert.True(stranger.GetProperty("errors").TryGetProperty("partyId", out _));
        await (await SendAsync(officer, mine.CaseId, null, "please-wait")).JsonAsync(400);

        // A party cannot send phrases (staff only).
        using var party = app.PartyClient(theirs.Token);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(party, theirs.CaseId, theirs.PartyId, "please-wait")).StatusCode);

        // An unknown case: 404.
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(officer, Guid.NewGuid().ToString(), mine.PartyId, "please-wait")).StatusCode);

        // The colleague handling it may; only that one push reached the phone, and only one phrase is on each case.
        await (await SendAsync(colleague, theirs.CaseId, theirs.PartyId, "thanks")).JsonAsync(202);
        await phone.WaitForAsync("Phrase");
        Assert.Single(phone.All("Phrase"));
        await using var c = await app.Services.GetRequiredService<Db>().OpenAsync(CancellationToken.None);
        Assert.Equal(0, await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM case_events WHERE case_id = @caseId AND kind = 'phrase'", new { caseId = mine.CaseId }));
        Assert.Equal(1, await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM case_events WHERE case_id = @caseId AND kind = 'phrase'", new { caseId = theirs.CaseId }));
    }

    [Fact]
    public async Task Phrases_are_limited_per_officer_and_a_closed_case_takes_none()
    {
        using var busy = await app.OfficerClientAsync("phrase-busy");
        var (p1, _) = await AcceptedTwoPartyCaseAsync(busy, "京A42345", "沪AD42345");
        for (var i = 0; i < CannedPhrases.PerOfficerPerMinute; i++)
        {
            await (await SendAsync(busy, p1.CaseId, p1.PartyId, "please-wait")).JsonAsync(202);
        }

        var tooMany = await SendAsync(busy, p1.CaseId, p1.PartyId, "please-wait");
        Assert.Equal(HttpStatusCode.TooManyRequests, tooMany.StatusCode);
        Assert.Equal("60", tooMany.Headers.RetryAfter?.ToString());

        using var quiet = await app.OfficerClientAsync("phrase-quiet");
        var (p2, _) = await AcceptedTwoPartyCaseAsync(quiet, "京A52345", "沪AD52345");
        await quiet.PostJsonAsync($"/api/cases/{p2.CaseId}/escalate", new { reason = "dispute" });
        var closed = await (await SendAsync(quiet, p2.CaseId, p2.PartyId, "please-wait")).JsonAsync(409);
        Assert.Equal("escalated", closed.GetProperty("caseStatus").GetString());
    }

    [Fact]
    public void Every_phrase_key_is_worded_in_both_languages_of_the_pages()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "AccidentRemote.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        foreach (var language in new[] { "zh-CN", "en" })
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(root.FullName, "src", "AccidentRemote.Server", "ClientApp", "src", "i18n", $"{language}.json")));
            foreach (var key in CannedPhrases.Keys)
            {
                Assert.True(json.RootElement.TryGetProperty($"phrase.{key}", out var text) && text.GetString() is { Length: > 0 }, $"{language}: phrase.{key}");
            }
        }
    }
}
