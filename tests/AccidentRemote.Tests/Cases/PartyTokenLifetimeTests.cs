using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AccidentRemote.Server.Data;
using AccidentRemote.Tests.Evidence;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Cases;

/// <summary>
/// After its case ends a party token keeps only what the driver still needs (progress, rating, the signed PDF,
/// the claim), and Auth:PartyTokenLifetimeAfterCaseEnd later nothing. Real Kestrel, real WebSockets, both databases.
/// </summary>
public sealed class PartyTokenLifetimeTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Turn:Urls:0"] = "turn:127.0.0.1:3478?transport=udp",
        ["Turn:Secret"] = "test-secret-0123456789",
        ["Auth:PartyTokenLifetimeAfterCaseEnd"] = "30.00:00:00",
    };

    [Theory]
    [BothDatabases]
    public async Task After_close_a_party_keeps_progress_rating_PDF_and_claim_and_after_the_lifetime_nothing(DatabaseProvider provider)
    {
        var clock = new FixedClock(DateTimeOffset.UtcNow);
        void Clock(IServiceCollection s) => s.AddSingleton<TimeProvider>(clock);
        await using var postgres = provider == DatabaseProvider.Postgres ? await PostgresDatabase.CreateAsync() : null;
        await using var vhost = provider == DatabaseProvider.Postgres ? await RabbitVhost.CreateAsync() : null;
        using var app = postgres is null
            ? TestApp.Embedded(extra: Settings, services: Clock)
            : TestApp.Production(postgres.ConnectionString, vhost!.Name, extra: Settings, services: Clock);
        var address = app.StartKestrel();
        var officer = await app.OfficerClientAsync();
        var (caseId, _, tokens) = await Api.CaseWithLiabilityAsync(app.RealClient(), officer);
        await Api.GiveDetailsAndSignAsync(app.RealClient(), officer, caseId, tokens);
        var party = app.RealClient(tokens[0]);

        // While the case is open, the party has its call.
        Assert.Equal(HttpStatusCode.OK, (await party.GetAsync("/api/ice-servers")).StatusCode);
        var live = await HubClient.ConnectAsync(address, tokens[0]);
        await live.DisposeAsync();

        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);

        // Closed: no call, no relay, no new evidence.
        await Assert.ThrowsAnyAsync<Exception>(() => HubClient.ConnectAsync(address, tokens[0]));
        var turn = await party.GetJsonAsync("/api/ice-servers", 409);
        Assert.Equal("closed", turn.GetProperty("caseStatus").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await Upload.PostAsync(party, caseId, TestFiles.Png(64, 64), contentType: "image/png", fileName: "p.png")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await party.GetAsync($"/api/cases/{caseId}/evidence")).StatusCode);

        // ...but the progress, the signed document, the claim and the rating.
        var view = await party.GetJsonAsync($"/api/cases/{caseId}");
        Assert.Equal("closed", view.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("parties")[1].GetProperty("name").ValueKind);
        Assert.Equal(JsonValueKind.Null, view.GetProperty("parties")[1].GetProperty("idNumber").ValueKind);
        Assert.Equal("application/pdf", (await party.GetAsync($"/api/cases/{caseId}/document/pdf")).Content.Headers.ContentType?.MediaType);
        var claims = await party.GetJsonAsync($"/api/cases/{caseId}/claims");
        Assert.Equal("picc", Assert.Single(claims.EnumerateArray()).GetProperty("insurerCode").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await party.PostAsync($"/api/cases/{caseId}/satisfaction",
            System.Net.Http.Json.JsonContent.Create(new { rating = 5 }))).StatusCode);

        // Still inside the lifetime a day before its end.
        clock.Now += TimeSpan.FromDays(29);
        Assert.Equal(HttpStatusCode.OK, (await party.GetAsync($"/api/cases/{caseId}/claims")).StatusCode);

        // 30 days after the close: everything is refused, with a ProblemDetails that says why (in the driver's language).
        clock.Now += TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1);
        foreach (var url in new[] { $"/api/cases/{caseId}", $"/api/cases/{caseId}/document/pdf", $"/api/cases/{caseId}/claims", "/api/ice-servers" })
        {
            var refused = await party.GetAsync(url);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = await refused.JsonAsync(401);
            Assert.Equal("此链接已失效", problem.GetProperty("title").GetString());
            Assert.Contains("30", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using var english = new HttpRequestMessage(HttpMethod.Get, $"/api/cases/{caseId}");
        english.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("en"));
        var inEnglish = await (await party.SendAsync(english)).JsonAsync(401);
        Assert.Equal("This case link has expired.", inEnglish.GetProperty("title").GetString());
        var hub = await Assert.ThrowsAnyAsync<Exception>(() => HubClient.ConnectAsync(address, tokens[0]));
        Assert.Contains("401", hub.ToString(), StringComparison.Ordinal);

        // The other party's token too.
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.RealClient(tokens[1]).GetAsync($"/api/cases/{caseId}")).StatusCode);
    }
}
