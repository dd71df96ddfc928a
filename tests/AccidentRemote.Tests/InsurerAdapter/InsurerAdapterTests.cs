using System.Text;
using System.Text.Json;
using AccidentRemote.Contracts.Claims;
using AccidentRemote.InsurerAdapter;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Tests.InsurerAdapter;

/// <summary>
/// The reference insurer adapter against the real broker, provisioned by infra/rabbitmq/provision.sh
/// and logged in as the insurer's own user; the insurer's system is a real HTTP sink or folder.
/// Crashes are made by cutting the adapter's TCP connection (a loopback proxy) mid-claim.
/// </summary>
public sealed class InsurerAdapterTests : IAsyncLifetime
{
    private AdapterTestKit kit = null!;

    public async ValueTask InitializeAsync() => kit = await AdapterTestKit.CreateAsync();

    public async ValueTask DisposeAsync() => await kit.DisposeAsync();

    [Fact]
    public async Task A_claim_is_posted_to_the_insurer_system_and_its_report_number_is_acknowledged_on_the_server_ack_queue()
    {
        await using var sink = await InsurerHttpSink.StartAsync();
        await kit.StartAdapterAsync(kit.Settings(sink.Endpoint));
        var claim = AdapterTestKit.NewClaim(kit.Code);
        var body = AdapterTestKit.Serialize(claim);

        await kit.PublishAsync(body, claim.ClaimId.ToString());
        var (ack, properties) = Assert.Single(await kit.AcksUntilAsync(claim.ClaimId));

        var received = Assert.Single(sink.Claims);
        Assert.Equal(claim.ClaimId, received.ClaimId);
        Assert.Equal(Encoding.UTF8.GetString(body), received.Body);
        Assert.Equal(claim.ClaimId.ToString(), received.IdempotencyKey);
        Assert.Equal(received.ClaimReportNumber, ack.ClaimReportNumber);
        Assert.Equal(kit.Code, ack.InsurerCode);
        Assert.Equal(ClaimsWire.SchemaVersion, ack.SchemaVersion);
        Assert.Equal(ClaimsWire.BrokerUserFor(kit.Code), properties.UserId);
        Assert.Equal("application/json", properties.ContentType);
        Assert.Equal(RabbitMQ.Client.DeliveryModes.Persistent, properties.DeliveryMode);
        Assert.True(Guid.TryParse(properties.MessageId, out _));
        Assert.Equal(claim.ClaimId.ToString(), properties.CorrelationId);
    }

    [Fact]
    public async Task In_folder_mode_a_claim_is_written_as_its_json_file_and_acknowledged_with_a_report_number_derived_from_its_id()
    {
        await kit.StartAdapterAsync(kit.Settings());
        var claim = AdapterTestKit.NewClaim(kit.Code);
        var body = AdapterTestKit.Serialize(claim);

        await kit.PublishAsync(body, claim.ClaimId.ToString());
        var (ack, _) = Assert.Single(await kit.AcksUntilAsync(claim.ClaimId));

        var file = Assert.Single(Directory.GetFiles(kit.DropFolder));
        Assert.Equal($"{claim.ClaimId}.json", Path.GetFileName(file));
        Assert.Equal(body, await File.ReadAllBytesAsync(file));
        Assert.Equal(FolderInsurerSystem.ReportNumberFor(kit.Code, claim.ClaimId), ack.ClaimReportNumber);
        Assert.Matches($"^{kit.Code.ToUpperInvariant()}-[0-9A-F]{{16}}$", ack.ClaimReportNumber);
    }

    [Fact]
    public async Task An_adapter_that_crashes_after_the_hand_over_but_before_the_ack_hands_the_redelivered_claim_over_once_and_acknowledges_it_once()
    {
        await using var sink = await InsurerHttpSink.StartAsync();
        await using var proxy = new TcpProxy(TestServices.RabbitPort);
        var crashed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = await kit.StartAdapterAsync(kit.Settings(sink.Endpoint, proxy.Port), hooks => hooks.AfterHandOverRecorded = _ =>
        {
            // The process "dies" here: its broker connection drops with the claim unacknowledged
            // and its ack unpublished; nothing it sends afterwards reaches the broker.
            proxy.Cut();
            crashed.TrySetResult();
            return Task.CompletedTask;
        });
        var claim = AdapterTestKit.NewClaim(kit.Code);
        await kit.PublishAsync(claim);
        await crashed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await kit.StopAdapterAsync(first);

        // The crash really happened between hand-over and ack: the claim is back on its queue, no ack went out.
        Assert.Single(sink.Claims);
        await using (var connection = await kit.Broker.Vhost.Factory().CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await Eventually.Until(() => channel.QueueDeclarePassiveAsync(ClaimsWire.QueueFor(kit.Code)), q => q.MessageCount == 1, "the claim back on its queue");
            Assert.Equal(0u, (await channel.QueueDeclarePassiveAsync(ClaimsWire.AcksQueue)).MessageCount);
        }

        await kit.StartAdapterAsync(kit.Settings(sink.Endpoint));
        // A second claim behind the first: when its ack is there, the redelivered first one is done.
        var barrier = AdapterTestKit.NewClaim(kit.Code);
        await kit.PublishAsync(barrier);
        var acks = await kit.AcksUntilAsync(claim.ClaimId, barrier.ClaimId);

        Assert.Single(sink.Claims, c => c.ClaimId == claim.ClaimId);
        var ack = Assert.Single(acks, a => a.Ack.ClaimId == claim.ClaimId).Ack;
        Assert.Equal(sink.Claims.Single(c => c.ClaimId == claim.ClaimId).ClaimReportNumber, ack.ClaimReportNumber);
        Assert.Equal(2, sink.Claims.Count);
        Assert.Equal(2, acks.Count);
    }

    [Fact]
    public async Task A_claim_delivered_twice_is_handed_over_once_and_acknowledged_once()
    {
        await using var sink = await InsurerHttpSink.StartAsync();
        await kit.StartAdapterAsync(kit.Settings(sink.Endpoint));
        var claim = AdapterTestKit.NewClaim(kit.Code);
        var barrier = AdapterTestKit.NewClaim(kit.Code);

        // At-least-once delivery: the server may publish the same claim (same message_id) again.
        await kit.PublishAsync(claim);
        await kit.PublishAsync(claim);
        await kit.PublishAsync(barrier);
        var acks = await kit.AcksUntilAsync(claim.ClaimId, barrier.ClaimId);

        Assert.Single(sink.Claims, c => c.ClaimId == claim.ClaimId);
        Assert.Single(acks, a => a.Ack.ClaimId == claim.ClaimId);
        Assert.Equal(2, sink.Attempts);
    }

    [Fact]
    public async Task Poison_messages_go_to_the_insurers_dead_letter_queue_at_once_and_the_next_claim_is_still_handled()
    {
        await using var sink = await InsurerHttpSink.StartAsync();
        await kit.StartAdapterAsync(kit.Settings(sink.Endpoint));

        var wrongVersion = System.Text.Json.Nodes.JsonNode.Parse(AdapterTestKit.Serialize(AdapterTestKit.NewClaim(kit.Code)))!;
        wrongVersion["schemaVersion"] = 2;
        var otherInsurer = AdapterTestKit.NewClaim("someone-else");
        var noMessageId = AdapterTestKit.NewClaim(kit.Code);
        await kit.PublishAsync("{ this is not json"u8.ToArray(), Guid.NewGuid().ToString());
        await kit.PublishAsync(Encoding.UTF8.GetBytes(wrongVersion.ToJsonString()), wrongVersion["claimId"]!.GetValue<Guid>().ToString());
        await kit.PublishAsync(AdapterTestKit.Serialize(otherInsurer), otherInsurer.ClaimId.ToString());
        await kit.PublishAsync(AdapterTestKit.Serialize(noMessageId), messageId: null);
        var good = AdapterTestKit.NewClaim(kit.Code);
        await kit.PublishAsync(good);

        var acks = await kit.AcksUntilAsync(good.ClaimId);
        var dead = await kit.DeadLettersUntilAsync(4);

        Assert.Equal(4, dead.Count);
        Assert.All(dead, d => Assert.False(d.Redelivered));
        Assert.Contains(dead, d => AdapterTestKit.Text(d.Body) == "{ this is not json");
        Assert.Equal(good.ClaimId, Assert.Single(sink.Claims).ClaimId);
        Assert.Equal(good.ClaimId, Assert.Single(acks).Ack.ClaimId);
    }

    [Fact]
    public async Task An_insurer_system_failing_three_times_then_succeeding_gets_the_claim_once()
    {
        await using var sink = await InsurerHttpSink.StartAsync();
        sink.FailFirst = 3;
        await kit.StartAdapterAsync(kit.Settings(sink.Endpoint));
        var claim = AdapterTestKit.NewClaim(kit.Code);

        await kit.PublishAsync(claim);
        var (ack, _) = Assert.Single(await kit.AcksUntilAsync(claim.ClaimId));

        Assert.Equal(4, sink.Attempts);
        var received = Assert.Single(sink.Claims);
        Assert.Equal(received.ClaimReportNumber, ack.ClaimReportNumber);
    }

    [Fact]
    public async Task A_claim_the_insurer_system_keeps_failing_goes_back_to_the_queue_and_is_dead_lettered_after_the_delivery_limit()
    {
        await using var sink = await InsurerHttpSink.StartAsync();
        sink.FailFirst = int.MaxValue;
        var settings = kit.Settings(sink.Endpoint);
        settings["Adapter:MaxAttempts"] = "2";
        await kit.StartAdapterAsync(settings);
        var claim = AdapterTestKit.NewClaim(kit.Code);

        await kit.PublishAsync(claim);
        var dead = Assert.Single(await kit.DeadLettersUntilAsync(1));

        Assert.Equal(claim.ClaimId.ToString(), dead.BasicProperties.MessageId);
        // Each delivery tries MaxAttempts times; the queue gives it DeliveryLimit + 1 deliveries.
        Assert.Equal(2 * (ClaimsWire.DeliveryLimit + 1), sink.Attempts);
        Assert.Empty(sink.Claims);
    }

    [Fact]
    public async Task The_adapter_reconnects_by_itself_after_the_broker_connection_is_lost()
    {
        await using var sink = await InsurerHttpSink.StartAsync();
        await using var proxy = new TcpProxy(TestServices.RabbitPort);
        await kit.StartAdapterAsync(kit.Settings(sink.Endpoint, proxy.Port));
        var before = AdapterTestKit.NewClaim(kit.Code);
        await kit.PublishAsync(before);
        await kit.AcksUntilAsync(before.ClaimId);

        proxy.Cut();
        var during = AdapterTestKit.NewClaim(kit.Code);
        await kit.PublishAsync(during);
        proxy.Restore();

        var acks = await kit.AcksUntilAsync(before.ClaimId, during.ClaimId);
        Assert.Equal(2, acks.Count);
        Assert.Equal(2, sink.Claims.Count);
    }

    [Fact]
    public async Task An_adapter_with_wrong_settings_refuses_to_start_and_says_what_to_fix()
    {
        var settings = kit.Settings(new Uri("http://127.0.0.1:9/claims"));
        settings["Adapter:Folder"] = kit.DropFolder;
        settings["Adapter:InsurerCode"] = "Not A Code";
        settings["Adapter:Broker:Password"] = "";

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => kit.StartAdapterAsync(settings));

        Assert.Contains("Set exactly one of Adapter:HttpEndpoint", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Adapter:InsurerCode 'Not A Code'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Adapter:Broker:Password is required", failure.Message, StringComparison.Ordinal);
    }
}
