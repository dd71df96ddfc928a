using System.Text;
using AccidentRemote.Contracts.Claims;
using AccidentRemote.Server.Claims;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace AccidentRemote.Tests.Claims;

/// <summary>Insurers answer claims with their report number; unanswered claims are published again.</summary>
public sealed class AcknowledgementTests
{
    [Fact]
    public async Task With_the_embedded_bus_each_insurer_answers_and_the_driver_sees_only_its_own_report_number()
    {
        using var app = TestApp.Embedded();
        var address = app.StartKestrel();
        var anonymous = app.RealClient();
        var officer = await app.OfficerClientAsync();
        var (caseId, partyIds, tokens) = await Api.CaseWithLiabilityAsync(anonymous, officer);
        await using var phone = await HubClient.ConnectAsync(address, tokens[1]);
        await Api.GiveDetailsAndSignAsync(anonymous, officer, caseId, tokens);
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);

        var pushed = await phone.WaitForAsync("ClaimAcknowledged");
        Assert.Equal("pingan", pushed.GetProperty("insurerCode").GetString());
        var mine = await app.RealClient(tokens[1]).GetJsonAsync($"/api/cases/{caseId}/claims");
        var claim = Assert.Single(mine.EnumerateArray());
        Assert.Equal(partyIds[1], claim.GetProperty("partyId").GetString());
        Assert.Equal(pushed.GetProperty("claimReportNumber").GetString(), claim.GetProperty("claimReportNumber").GetString());
        Assert.StartsWith("DEV-PINGAN-", claim.GetProperty("claimReportNumber").GetString(), StringComparison.Ordinal);

        var stats = await Eventually.Until(() => officer.GetJsonAsync("/api/insurers/stats"),
            s => s.EnumerateArray().Sum(i => i.GetProperty("acknowledged").GetInt32()) == 2, "both acknowledgements in the stats");
        Assert.All(stats.EnumerateArray(), i => Assert.Equal(1, i.GetProperty("delivered").GetInt32()));
    }

    [Theory]
    [InlineData("insurer-picc", "picc", "PICC-2026-000123", null)]
    [InlineData("insurer-pingan", "picc", "PICC-2026-000123", "not by insurer-picc")]
    [InlineData("", "picc", "PICC-2026-000123", "not by insurer-picc")]
    [InlineData(null, "picc", "报案号 with spaces", "malformed")]
    public void An_acknowledgement_must_come_from_the_insurers_own_broker_user_and_be_well_formed(string? user, string insurer, string number, string? problem)
    {
        var ack = new ClaimAcknowledged { ClaimId = Guid.NewGuid(), InsurerCode = insurer, ClaimReportNumber = number, AcknowledgedAt = DateTimeOffset.UtcNow };
        var result = ClaimLedger.Check(ack, user);
        if (problem is null)
        {
            Assert.Null(result);
        }
        else
        {
            Assert.Contains(problem, result, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_claim_nobody_acknowledges_is_published_again_with_the_same_message_id_and_flagged()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var vhost = await RabbitVhost.CreateAsync();
        using var app = TestApp.Production(database.ConnectionString, vhost.Name, extra: new()
        {
            ["Claims:PollInterval"] = "00:00:00.200",
            ["Claims:AckTimeout"] = "00:00:01",
        });
        var officer = await app.OfficerClientAsync();
        await app.Services.GetRequiredService<BrokerTopology>().Declared.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var (caseId, _) = await Api.CaseReadyToCloseAsync(app.CreateClient(), officer);
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);

        var republished = await Eventually.Until(() => officer.GetJsonAsync($"/api/cases/{caseId}/claims"),
            c => c.EnumerateArray().All(x => x.GetProperty("republished").GetInt32() >= 1 && x.GetProperty("status").GetString() == "sent"),
            "both claims published a second time");
        var stats = await officer.GetJsonAsync("/api/insurers/stats");
        Assert.All(stats.EnumerateArray(), i => Assert.Equal(1, i.GetProperty("overdue").GetInt32()));

        await using var connection = await vhost.Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var ids = new List<string>();
        while (await channel.BasicGetAsync("claims.picc", autoAck: true) is { } message)
        {
            ids.Add(message.BasicProperties.MessageId!);
        }

        Assert.True(ids.Count >= 2, $"expected the claim at least twice, got {ids.Count}");
        Assert.Single(ids.Distinct());
        Assert.Equal(republished.EnumerateArray().Single(c => c.GetProperty("insurerCode").GetString() == "picc").GetProperty("claimId").GetString(), ids[0]);
    }
}
