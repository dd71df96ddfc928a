using System.Text;
using System.Text.Json;
using AccidentRemote.Server.Claims;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace AccidentRemote.Tests.Claims;

/// <summary>
/// The whole loop on a broker provisioned by infra/rabbitmq/provision.sh: the server runs as its
/// own restricted user, each insurer as its own, and the insurer's answer reaches the driver.
/// </summary>
public sealed class ProvisionedClaimLoopTests
{
    [Fact]
    public async Task Claims_reach_each_insurer_as_its_own_user_and_the_acknowledgement_reaches_the_driver()
    {
        await using var broker = await ProvisionedBroker.CreateAsync("pa", "pc");
        await using var database = await PostgresDatabase.CreateAsync();
        var (pingan, picc) = (broker.Codes[0], broker.Codes[1]);
        using var app = TestApp.Production(database.ConnectionString, broker.Vhost.Name, extra: new()
        {
            ["Bus:RabbitMq:Username"] = broker.ServerUser,
            ["Bus:RabbitMq:Password"] = ProvisionedBroker.PasswordFor(broker.ServerUser),
            ["Insurers:Catalogue:0:Code"] = picc,
            ["Insurers:Catalogue:1:Code"] = pingan,
            ["Claims:PollInterval"] = "00:00:00.200",
        });
        var address = app.StartKestrel();
        var officer = await app.OfficerClientAsync();
        await app.Services.GetRequiredService<BrokerTopology>().Declared.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var anonymous = app.RealClient();
        var (caseId, _, tokens) = await Api.CaseWithLiabilityAsync(anonymous, officer, picc, pingan);
        await using var phone = await HubClient.ConnectAsync(address, tokens[1]);
        await Api.GiveDetailsAndSignAsync(anonymous, officer, caseId, tokens);
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);
        await Eventually.Until(() => officer.GetJsonAsync($"/api/cases/{caseId}/claims"),
            c => c.EnumerateArray().All(x => x.GetProperty("status").GetString() == "sent"), "claims confirmed by the broker");

        // Ping An reads its own queue as its own user and answers with its report number.
        await using var insurer = await broker.FactoryFor(ProvisionedBroker.InsurerUser(pingan)).CreateConnectionAsync();
        await using var channel = await insurer.CreateChannelAsync();
        var delivery = await channel.BasicGetAsync($"claims.{pingan}", autoAck: true);
        Assert.NotNull(delivery);
        var claimId = JsonDocument.Parse(delivery.Body).RootElement.GetProperty("claimId").GetString()!;

        // PICC's user answering for Ping An's claim is ignored by the server.
        await using (var piccConnection = await broker.FactoryFor(ProvisionedBroker.InsurerUser(picc)).CreateConnectionAsync())
        await using (var piccChannel = await piccConnection.CreateChannelAsync())
        {
            await PublishAckAsync(piccChannel, ProvisionedBroker.InsurerUser(picc), picc, claimId, pingan, "FORGED-1");
        }

        await PublishAckAsync(channel, ProvisionedBroker.InsurerUser(pingan), pingan, claimId, pingan, "PA2026112800123");

        var pushed = await phone.WaitForAsync("ClaimAcknowledged");
        Assert.Equal("PA2026112800123", pushed.GetProperty("claimReportNumber").GetString());
        var mine = await app.RealClient(tokens[1]).GetJsonAsync($"/api/cases/{caseId}/claims");
        Assert.Equal("PA2026112800123", mine[0].GetProperty("claimReportNumber").GetString());
        var stats = await officer.GetJsonAsync("/api/insurers/stats");
        Assert.Equal(1, stats.EnumerateArray().Single(s => s.GetProperty("insurerCode").GetString() == pingan).GetProperty("acknowledged").GetInt32());
        Assert.Equal(0, stats.EnumerateArray().Single(s => s.GetProperty("insurerCode").GetString() == picc).GetProperty("acknowledged").GetInt32());
    }

    private static async Task PublishAckAsync(IChannel channel, string user, string routingKey, string claimId, string insurerCode, string number)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new { schemaVersion = 1, claimId, insurerCode, claimReportNumber = number, acknowledgedAt = DateTimeOffset.UtcNow });
        var props = new BasicProperties { ContentType = "application/json", MessageId = Guid.NewGuid().ToString(), UserId = user, Persistent = true };
        await channel.BasicPublishAsync("accidentremote.claim-acks", routingKey, mandatory: false, props, body);
    }
}
