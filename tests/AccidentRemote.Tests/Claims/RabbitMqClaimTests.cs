using System.Text;
using System.Text.Json;
using AccidentRemote.Server.Claims;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace AccidentRemote.Tests.Claims;

/// <summary>
/// Claims on the production shape: PostgreSQL and a real RabbitMQ, read back with plain
/// RabbitMQ.Client as an insurer without MassTransit would. Each test has its own database
/// and virtual host.
/// </summary>
public sealed class RabbitMqClaimTests : PostgresAndBrokerTest
{
    private static readonly Dictionary<string, string?> FastRetries = new()
    {
        ["Claims:PollInterval"] = "00:00:00.200",
        ["Claims:PublishTimeout"] = "00:00:02",
        ["Claims:ParkedRetryInterval"] = "00:00:00.300",
        ["Claims:MaxRetryDelay"] = "00:00:00.500",
    };

    [Fact]
    public async Task Closing_a_case_routes_each_party_claim_to_its_own_insurer_queue_and_nowhere_else()
    {
        using var app = TestApp.Production(Database.ConnectionString, Vhost.Name, extra: FastRetries);
        var officer = await app.OfficerClientAsync();
        await app.Services.GetRequiredService<BrokerTopology>().Declared.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var (caseId, partyIds) = await Api.CaseReadyToCloseAsync(app.CreateClient(), officer, "picc", "pingan");
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);
        var claims = await Eventually.Until(() => officer.GetJsonAsync($"/api/cases/{caseId}/claims"),
            c => c.EnumerateArray().Count(x => x.GetProperty("status").GetString() == "sent") == 2, "both claims confirmed");

        await using var connection = await Vhost.Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var picc = await DrainAsync(channel, "claims.picc");
        var pingan = await DrainAsync(channel, "claims.pingan");
        Assert.Empty(await DrainAsync(channel, "claims.cpic"));

        foreach (var (messages, insurer, plate, partyId) in new[] { (picc, "picc", "京A12345", partyIds[0]), (pingan, "pingan", "沪AD12345", partyIds[1]) })
        {
            var message = Assert.Single(messages);
            var claimId = claims.EnumerateArray().Single(c => c.GetProperty("insurerCode").GetString() == insurer).GetProperty("claimId").GetString();
            Assert.Equal(claimId, message.Properties.MessageId);
            Assert.Equal("application/json", message.Properties.ContentType);
            Assert.Equal(DeliveryModes.Persistent, message.Properties.DeliveryMode);

            var body = JsonDocument.Parse(message.Body).RootElement;
            Assert.Equal(1, body.GetProperty("schemaVersion").GetInt32());
            Assert.Equal(claimId, body.GetProperty("claimId").GetString());
            Assert.Equal(insurer, body.GetProperty("insurerCode").GetString());
            Assert.Equal(caseId, body.GetProperty("caseId").GetString());
            Assert.Equal(plate, body.GetProperty("insured").GetProperty("plate").GetString());
            Assert.Single(body.GetProperty("otherParties").EnumerateArray());
            Assert.Contains(partyId, claims.EnumerateArray().Select(c => c.GetProperty("partyId").GetString()));
        }
    }

    [Fact]
    public async Task Insurer_queues_are_durable_quorum_queues_declared_at_start()
    {
        using var app = TestApp.Production(Database.ConnectionString, Vhost.Name, extra: FastRetries);
        app.CreateClient();
        await app.Services.GetRequiredService<BrokerTopology>().Declared.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await using var connection = await Vhost.Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var code in new[] { "picc", "pingan", "cpic", "chinalife", "ccic", "sinosig", "taiping" })
        {
            // A passive declare fails if the queue is missing; redeclaring with the quorum argument
            // fails (PRECONDITION_FAILED) if it exists with another type.
            await channel.QueueDeclarePassiveAsync($"claims.{code}");
            await channel.QueueDeclareAsync($"claims.{code}", durable: true, exclusive: false, autoDelete: false, arguments: BrokerTopology.QueueArguments(code));
            await channel.QueueDeclarePassiveAsync($"claims.{code}.dead");
        }
    }

    [Fact]
    public async Task A_claim_closed_while_the_broker_is_down_waits_in_the_outbox_and_is_delivered_once_when_it_is_back()
    {
        await using var proxy = new TcpProxy(TestServices.RabbitPort);
        using var app = TestApp.Production(Database.ConnectionString, Vhost.Name, proxy.Port, FastRetries);
        var officer = await app.OfficerClientAsync();
        await app.Services.GetRequiredService<BrokerTopology>().Declared.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var (caseId, _) = await Api.CaseReadyToCloseAsync(app.CreateClient(), officer, "picc", "pingan");

        proxy.Cut();
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);
        var waiting = await Eventually.Until(() => officer.GetJsonAsync($"/api/cases/{caseId}/claims"),
            c => c.GetArrayLength() == 2 && c.EnumerateArray().All(x => x.GetProperty("attempts").GetInt32() >= 1),
            "failed delivery attempts to be recorded");
        Assert.All(waiting.EnumerateArray(), c =>
        {
            Assert.Equal("pending", c.GetProperty("status").GetString());
            Assert.False(string.IsNullOrEmpty(c.GetProperty("lastError").GetString()));
        });

        proxy.Restore();
        await Eventually.Until(() => officer.GetJsonAsync($"/api/cases/{caseId}/claims"),
            c => c.EnumerateArray().All(x => x.GetProperty("status").GetString() == "sent"), "claims sent after the broker came back", TimeSpan.FromSeconds(60));

        await using var connection = await Vhost.Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        Assert.Single(await DrainAsync(channel, "claims.picc"));
        Assert.Single(await DrainAsync(channel, "claims.pingan"));
    }

    [Fact]
    public async Task A_claim_committed_but_not_yet_published_is_delivered_by_the_next_server_start()
    {
        await using var proxy = new TcpProxy(TestServices.RabbitPort);
        string caseId;
        using (var first = TestApp.Production(Database.ConnectionString, Vhost.Name, proxy.Port, FastRetries))
        {
            var officer = await first.OfficerClientAsync();
            await first.Services.GetRequiredService<BrokerTopology>().Declared.Task.WaitAsync(TimeSpan.FromSeconds(30));
            (caseId, _) = await Api.CaseReadyToCloseAsync(first.CreateClient(), officer, "picc", "pingan");
            proxy.Cut();
            await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);
            var claims = await officer.GetJsonAsync($"/api/cases/{caseId}/claims");
            Assert.Equal(2, claims.GetArrayLength());
            Assert.DoesNotContain(claims.EnumerateArray(), c => c.GetProperty("status").GetString() == "sent");
        }

        // The first server is gone with its claims unsent; a new one on the same database takes over.
        proxy.Restore();
        using var second = TestApp.Production(Database.ConnectionString, Vhost.Name, proxy.Port, FastRetries);
        // A supervisor looks (the case's claims are for its officer and supervisors: CaseAccessRule).
        var officer2 = await second.OfficerClientAsync("officer2", AccidentRemote.Server.Auth.Roles.Supervisor);
        await Eventually.Until(() => officer2.GetJsonAsync($"/api/cases/{caseId}/claims"),
            c => c.EnumerateArray().All(x => x.GetProperty("status").GetString() == "sent"), "claims sent by the restarted server", TimeSpan.FromSeconds(60));

        await using var connection = await Vhost.Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        Assert.Single(await DrainAsync(channel, "claims.picc"));
        Assert.Single(await DrainAsync(channel, "claims.pingan"));
    }

    [Fact]
    public async Task A_claim_whose_insurer_has_no_queue_is_parked_visibly_and_delivered_when_the_queue_appears()
    {
        using var app = TestApp.Production(Database.ConnectionString, Vhost.Name, extra: FastRetries);
        var officer = await app.OfficerClientAsync();
        await app.Services.GetRequiredService<BrokerTopology>().Declared.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await using var connection = await Vhost.Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync("claims.pingan");

        var (caseId, _) = await Api.CaseReadyToCloseAsync(app.CreateClient(), officer, "picc", "pingan");
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);

        var parked = await Eventually.Until(() => officer.GetJsonAsync("/api/claims?status=parked"),
            c => c.GetArrayLength() == 1, "the pingan claim to be parked");
        Assert.Equal("pingan", parked[0].GetProperty("insurerCode").GetString());
        Assert.Contains("claims.pingan", parked[0].GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Single(await DrainAsync(channel, "claims.picc"));

        await channel.QueueDeclareAsync("claims.pingan", durable: true, exclusive: false, autoDelete: false, arguments: BrokerTopology.QueueArguments("pingan"));
        await channel.QueueBindAsync("claims.pingan", "accidentremote.claims", "pingan");
        await Eventually.Until(() => officer.GetJsonAsync($"/api/cases/{caseId}/claims"),
            c => c.EnumerateArray().All(x => x.GetProperty("status").GetString() == "sent"), "the parked claim to be delivered");
        var delivered = Assert.Single(await DrainAsync(channel, "claims.pingan"));
        Assert.Equal(parked[0].GetProperty("claimId").GetString(), delivered.Properties.MessageId);
        Assert.Empty((await officer.GetJsonAsync("/api/claims?status=parked")).EnumerateArray());
    }

    private sealed record Received(IReadOnlyBasicProperties Properties, string Body);

    private static async Task<List<Received>> DrainAsync(IChannel channel, string queue)
    {
        var messages = new List<Received>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } result)
        {
            messages.Add(new Received(result.BasicProperties, Encoding.UTF8.GetString(result.Body.Span)));
        }

        return messages;
    }
}
