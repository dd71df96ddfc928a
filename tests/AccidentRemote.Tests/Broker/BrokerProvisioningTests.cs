using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AccidentRemote.Contracts.Claims;
using AccidentRemote.Server.Claims;
using AccidentRemote.Server.Insurers;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace AccidentRemote.Tests.Broker;

/// <summary>
/// infra/rabbitmq/provision.sh against the real broker: the topology it makes, and what each
/// user it makes may and may not do, tried with real AMQP operations (a refusal closes the channel).
/// </summary>
public sealed class BrokerProvisioningTests : IAsyncLifetime
{
    private ProvisionedBroker broker = null!;

    private string A => broker.Codes[0];

    private string B => broker.Codes[1];

    public async ValueTask InitializeAsync() => broker = await ProvisionedBroker.CreateAsync("a", "b");

    public async ValueTask DisposeAsync() => await broker.DisposeAsync();

    [Fact]
    public async Task Provisioning_twice_succeeds_and_leaves_the_topology_users_and_permissions_as_specified()
    {
        var second = await broker.ProvisionAsync();
        Assert.Contains($"user insurer-{A}: password set from the environment", second, StringComparison.Ordinal);

        var vhost = broker.Vhost.Name;
        var queues = await GetAsync($"api/queues/{vhost}");
        Assert.Equal(
            new[] { ClaimsWire.AcksQueue, ClaimsWire.QueueFor(A), ClaimsWire.DeadLetterQueueFor(A), ClaimsWire.QueueFor(B), ClaimsWire.DeadLetterQueueFor(B) }.Order(),
            queues.EnumerateArray().Select(q => q.GetProperty("name").GetString()!).Order());
        var claimsA = queues.EnumerateArray().Single(q => q.GetProperty("name").GetString() == ClaimsWire.QueueFor(A)).GetProperty("arguments");
        Assert.Equal("quorum", claimsA.GetProperty("x-queue-type").GetString());
        Assert.Equal(ClaimsWire.DeadLetterExchange, claimsA.GetProperty("x-dead-letter-exchange").GetString());
        Assert.Equal(A, claimsA.GetProperty("x-dead-letter-routing-key").GetString());
        Assert.Equal(ClaimsWire.DeliveryLimit, claimsA.GetProperty("x-delivery-limit").GetInt32());

        foreach (var exchange in new[] { ClaimsWire.Exchange, ClaimsWire.AcksExchange, ClaimsWire.DeadLetterExchange })
        {
            var e = await GetAsync($"api/exchanges/{vhost}/{exchange}");
            Assert.Equal("direct", e.GetProperty("type").GetString());
            Assert.True(e.GetProperty("durable").GetBoolean());
        }

        // Bindings are a set: the second run must not have added any.
        var bindings = (await GetAsync($"api/bindings/{vhost}")).EnumerateArray()
            .Where(b => b.GetProperty("source").GetString() != "")
            .Select(b => $"{b.GetProperty("source").GetString()} -{b.GetProperty("routing_key").GetString()}-> {b.GetProperty("destination").GetString()}")
            .Order().ToList();
        Assert.Equal(
            new[]
            {
                $"{ClaimsWire.AcksExchange} -{A}-> {ClaimsWire.AcksQueue}",
                $"{ClaimsWire.AcksExchange} -{B}-> {ClaimsWire.AcksQueue}",
                $"{ClaimsWire.Exchange} -{A}-> {ClaimsWire.QueueFor(A)}",
                $"{ClaimsWire.Exchange} -{B}-> {ClaimsWire.QueueFor(B)}",
                $"{ClaimsWire.DeadLetterExchange} -{A}-> {ClaimsWire.DeadLetterQueueFor(A)}",
                $"{ClaimsWire.DeadLetterExchange} -{B}-> {ClaimsWire.DeadLetterQueueFor(B)}",
            }.Order(),
            bindings);

        var permissions = await GetAsync($"api/permissions/{vhost}/{ClaimsWire.BrokerUserFor(A)}");
        Assert.Equal("^$", permissions.GetProperty("configure").GetString());
        Assert.Equal(@"^accidentremote\.claim-acks$", permissions.GetProperty("write").GetString());
        Assert.Equal($@"^claims\.{A}(\.dead)?$", permissions.GetProperty("read").GetString());
    }

    [Fact]
    public async Task A_newly_provisioned_insurer_without_a_password_gets_a_generated_one_printed_once_that_logs_in()
    {
        var code = "c" + Guid.NewGuid().ToString("N")[..8];
        var run = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        run.ArgumentList.Add(Path.Combine(ProvisionedBroker.RepositoryRoot(), "infra", "rabbitmq", "provision.sh"));
        run.ArgumentList.Add(broker.Vhost.Name);
        run.ArgumentList.Add(code);
        run.Environment["RABBITMQ_API"] = TestServices.RabbitManagement;
        run.Environment["SERVER_USER"] = broker.ServerUser;
        try
        {
            var first = await RunAsync(run);
            var line = first.Split('\n').Single(l => l.StartsWith($"user insurer-{code}: created", StringComparison.Ordinal));
            var password = line[(line.LastIndexOf(' ') + 1)..];
            var second = await RunAsync(run);
            Assert.Contains($"user insurer-{code}: exists, password kept", second, StringComparison.Ordinal);
            Assert.DoesNotContain(password, second, StringComparison.Ordinal);

            var factory = broker.Vhost.Factory();
            factory.UserName = ClaimsWire.BrokerUserFor(code);
            factory.Password = password;
            await using var connection = await factory.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            Assert.Null(await channel.BasicGetAsync(ClaimsWire.QueueFor(code), autoAck: false));
        }
        finally
        {
            await RabbitVhost.Management.DeleteAsync($"api/users/{ClaimsWire.BrokerUserFor(code)}");
        }
    }

    [Fact]
    public async Task Another_insurer_is_refused_reading_an_insurers_claims_queue()
    {
        await using var connection = await broker.FactoryFor(ClaimsWire.BrokerUserFor(B)).CreateConnectionAsync();

        await using (var channel = await connection.CreateChannelAsync())
        {
            var get = await Assert.ThrowsAsync<OperationInterruptedException>(() => channel.BasicGetAsync(ClaimsWire.QueueFor(A), autoAck: false));
            Assert.Equal<int?>(403, get.ShutdownReason?.ReplyCode);
        }

        await using (var channel = await connection.CreateChannelAsync())
        {
            var consume = await Assert.ThrowsAsync<OperationInterruptedException>(
                () => channel.BasicConsumeAsync(ClaimsWire.QueueFor(A), autoAck: false, new AsyncEventingBasicConsumer(channel)));
            Assert.Equal<int?>(403, consume.ShutdownReason?.ReplyCode);
        }

        await using (var channel = await connection.CreateChannelAsync())
        {
            var dead = await Assert.ThrowsAsync<OperationInterruptedException>(() => channel.BasicGetAsync(ClaimsWire.DeadLetterQueueFor(A), autoAck: false));
            Assert.Equal<int?>(403, dead.ShutdownReason?.ReplyCode);
        }
    }

    [Fact]
    public async Task An_insurer_consumes_its_own_queue_and_publishes_acks_but_cannot_publish_claims_or_declare()
    {
        await PublishClaimAsync(A, "hello");
        await using var connection = await broker.FactoryFor(ClaimsWire.BrokerUserFor(A)).CreateConnectionAsync();
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, d) =>
            {
                await channel.BasicAckAsync(d.DeliveryTag, multiple: false);
                received.TrySetResult(Encoding.UTF8.GetString(d.Body.Span));
            };
            await channel.BasicConsumeAsync(ClaimsWire.QueueFor(A), autoAck: false, consumer);
            Assert.Equal("hello", await received.Task.WaitAsync(TimeSpan.FromSeconds(30)));

            var props = new BasicProperties { UserId = ClaimsWire.BrokerUserFor(A), MessageId = Guid.NewGuid().ToString() };
            await channel.BasicPublishAsync(ClaimsWire.AcksExchange, A, mandatory: true, props, "ack"u8.ToArray());
        }

        await using var server = await broker.Vhost.Factory().CreateConnectionAsync();
        await using var serverChannel = await server.CreateChannelAsync();
        var ack = await serverChannel.BasicGetAsync(ClaimsWire.AcksQueue, autoAck: true);
        Assert.Equal("ack", Encoding.UTF8.GetString(ack!.Body.Span));

        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            // A publish refused for permissions closes the channel; the pending confirm fails with it.
            var publish = await Assert.ThrowsAnyAsync<Exception>(
                async () => await channel.BasicPublishAsync(ClaimsWire.Exchange, A, mandatory: true, new BasicProperties(), "claim"u8.ToArray()));
            Assert.Equal<int?>(403, channel.CloseReason?.ReplyCode);
            Assert.IsNotType<PublishReturnException>(publish);
        }

        await using (var channel = await connection.CreateChannelAsync())
        {
            var declare = await Assert.ThrowsAsync<OperationInterruptedException>(
                () => channel.QueueDeclareAsync("claims.mine", durable: true, exclusive: false, autoDelete: false));
            Assert.Equal<int?>(403, declare.ShutdownReason?.ReplyCode);
        }
    }

    [Fact]
    public async Task An_ack_published_by_one_insurer_under_another_insurers_user_id_is_refused_by_the_broker()
    {
        await using var connection = await broker.FactoryFor(ClaimsWire.BrokerUserFor(A)).CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));

        var props = new BasicProperties { UserId = ClaimsWire.BrokerUserFor(B), MessageId = Guid.NewGuid().ToString() };
        await Assert.ThrowsAnyAsync<Exception>(async () => await channel.BasicPublishAsync(ClaimsWire.AcksExchange, B, mandatory: true, props, "forged"u8.ToArray()));

        Assert.Equal<int?>(406, channel.CloseReason?.ReplyCode);
        Assert.Contains("user_id", channel.CloseReason?.ReplyText, StringComparison.Ordinal);
        await using var server = await broker.Vhost.Factory().CreateConnectionAsync();
        await using var serverChannel = await server.CreateChannelAsync();
        Assert.Null(await serverChannel.BasicGetAsync(ClaimsWire.AcksQueue, autoAck: true));
    }

    [Fact]
    public async Task The_server_user_cannot_read_an_insurer_queue_but_reads_its_ack_queue()
    {
        await using var connection = await broker.FactoryFor(broker.ServerUser).CreateConnectionAsync();
        await using (var channel = await connection.CreateChannelAsync())
        {
            var get = await Assert.ThrowsAsync<OperationInterruptedException>(() => channel.BasicGetAsync(ClaimsWire.QueueFor(A), autoAck: false));
            Assert.Equal<int?>(403, get.ShutdownReason?.ReplyCode);
        }

        await using (var channel = await connection.CreateChannelAsync())
        {
            var purge = await Assert.ThrowsAsync<OperationInterruptedException>(() => channel.QueuePurgeAsync(ClaimsWire.QueueFor(A)));
            Assert.Equal<int?>(403, purge.ShutdownReason?.ReplyCode);
        }

        await using (var channel = await connection.CreateChannelAsync())
        {
            Assert.Null(await channel.BasicGetAsync(ClaimsWire.AcksQueue, autoAck: false));
        }
    }

    [Fact]
    public async Task The_server_topology_as_the_server_user_agrees_with_the_script_and_a_different_delivery_limit_would_be_refused()
    {
        var bus = Options.Create(new BusOptions
        {
            Transport = BusTransport.RabbitMq,
            RabbitMq = new RabbitMqOptions
            {
                Host = TestServices.RabbitHost,
                Port = TestServices.RabbitPort,
                VirtualHost = broker.Vhost.Name,
                Username = broker.ServerUser,
                Password = ProvisionedBroker.PasswordFor(broker.ServerUser),
            },
        });
        var catalogue = Options.Create(new InsurerOptions { Catalogue = [.. broker.Codes.Select(c => new InsurerEntry { Code = c, NameZh = c, NameEn = c })] });
        var topology = new BrokerTopology(bus, catalogue, NullLogger<BrokerTopology>.Instance);
        await topology.StartAsync(CancellationToken.None);
        try
        {
            // Declaring with other arguments than the script's would fail (PRECONDITION_FAILED) and be retried for ever.
            await topology.Declared.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            await topology.StopAsync(CancellationToken.None);
        }

        // The check above can fail: the broker compares arguments on redeclaration.
        await using var connection = await broker.Vhost.Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var other = BrokerTopology.QueueArguments(A);
        other["x-delivery-limit"] = ClaimsWire.DeliveryLimit + 1;
        var refused = await Assert.ThrowsAsync<OperationInterruptedException>(
            () => channel.QueueDeclareAsync(ClaimsWire.QueueFor(A), durable: true, exclusive: false, autoDelete: false, arguments: other));
        Assert.Equal<int?>(406, refused.ShutdownReason?.ReplyCode);
    }

    [Fact]
    public async Task A_claim_the_insurer_rejects_moves_to_its_dead_letter_queue()
    {
        await PublishClaimAsync(A, "bad");
        await using var connection = await broker.FactoryFor(ClaimsWire.BrokerUserFor(A)).CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var delivery = await Eventually.Until(() => channel.BasicGetAsync(ClaimsWire.QueueFor(A), autoAck: false), d => d is not null, "the claim");
        await channel.BasicNackAsync(delivery!.DeliveryTag, multiple: false, requeue: false);

        var dead = await Eventually.Until(() => channel.BasicGetAsync(ClaimsWire.DeadLetterQueueFor(A), autoAck: true), d => d is not null, "the dead letter");
        Assert.Equal("bad", Encoding.UTF8.GetString(dead!.Body.Span));
    }

    private async Task PublishClaimAsync(string code, string body)
    {
        await using var connection = await broker.FactoryFor(broker.ServerUser).CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.BasicPublishAsync(ClaimsWire.Exchange, code, mandatory: true, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes(body));
    }

    private static async Task<JsonElement> GetAsync(string path) => await RabbitVhost.Management.GetFromJsonAsync<JsonElement>(path);

    private static async Task<string> RunAsync(System.Diagnostics.ProcessStartInfo start)
    {
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await stderr);
        return await stdout;
    }
}
