using AccidentRemote.Contracts.Claims;
using AccidentRemote.Server.Insurers;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace AccidentRemote.Server.Claims;

/// <summary>
/// Declares what insurers read from, before any claim is published: the durable direct
/// exchange and, per configured insurer, a durable quorum queue <c>claims.&lt;code&gt;</c>
/// bound with the insurer code, plus the dead-letter exchange and each insurer's dead-letter
/// queue <c>claims.&lt;code&gt;.dead</c>. <c>infra/rabbitmq/provision.sh</c> declares the same
/// things with the same arguments (a queue redeclared with other arguments is refused with
/// PRECONDITION_FAILED, so the two must agree). Uses RabbitMQ.Client directly: this is broker
/// administration, and the server never consumes these queues. Retries until the broker
/// answers, so the server can start before the broker does.
/// </summary>
public sealed class BrokerTopology(IOptions<BusOptions> bus, IOptions<InsurerOptions> insurers, ILogger<BrokerTopology> logger) : BackgroundService
{
    public TaskCompletionSource Declared { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The arguments of an insurer's claims queue, the one source of them in C#
    /// (infra/rabbitmq/provision.sh repeats them in JSON; a test checks both agree). A claim the
    /// insurer rejects, or that is redelivered more than <see cref="ClaimsWire.DeliveryLimit"/>
    /// times, moves to the insurer's own dead-letter queue instead of looping for ever.
    /// </summary>
    public static IDictionary<string, object?> QueueArguments(string insurerCode) => new Dictionary<string, object?>
    {
        ["x-queue-type"] = "quorum",
        ["x-dead-letter-exchange"] = ClaimsWire.DeadLetterExchange,
        ["x-dead-letter-routing-key"] = insurerCode,
        ["x-delivery-limit"] = ClaimsWire.DeliveryLimit,
    };

    /// <summary>Arguments of an insurer's dead-letter queue: durable quorum, nothing else (it is the end of the line).</summary>
    public static IDictionary<string, object?> DeadLetterQueueArguments() => new Dictionary<string, object?> { ["x-queue-type"] = "quorum" };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DeclareAsync(stoppingToken);
                Declared.TrySetResult();
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning("Could not declare the claims topology on RabbitMQ ({Error}); retrying in {Delay}", ex.Message, delay);
                await Task.Delay(delay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    private async Task DeclareAsync(CancellationToken ct)
    {
        var o = bus.Value.RabbitMq;
        var factory = new ConnectionFactory
        {
            HostName = o.Host,
            Port = o.Port,
            VirtualHost = o.VirtualHost,
            UserName = o.Username,
            Password = o.Password,
            ClientProvidedName = "accidentremote-topology",
        };
        await using var connection = await factory.CreateConnectionAsync(ct);
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: ct))
        {
            await channel.ExchangeDeclareAsync(ClaimsWire.Exchange, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: ct);
            await channel.ExchangeDeclareAsync(ClaimsWire.DeadLetterExchange, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: ct);
        }

        var missing = new List<string>();
        foreach (var insurer in insurers.Value.Catalogue)
        {
            // One channel per insurer: a refusal closes the channel, and one insurer's queue that the
            // server may not create must not stop the others. Its claims are parked until it exists.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            try
            {
                // The dead-letter queue first: a claim dead-lettered in between would otherwise be dropped.
                var dead = ClaimsWire.DeadLetterQueueFor(insurer.Code);
                await channel.QueueDeclareAsync(dead, durable: true, exclusive: false, autoDelete: false, arguments: DeadLetterQueueArguments(), cancellationToken: ct);
                await channel.QueueBindAsync(dead, ClaimsWire.DeadLetterExchange, insurer.Code, cancellationToken: ct);

                var queue = ClaimsWire.QueueFor(insurer.Code);
                await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: QueueArguments(insurer.Code), cancellationToken: ct);
                await channel.QueueBindAsync(queue, ClaimsWire.Exchange, insurer.Code, cancellationToken: ct);
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 403)
            {
                missing.Add(insurer.Code);
            }
        }

        if (missing.Count > 0)
        {
            // Creating a queue with a dead-letter exchange needs read rights on it, which the server's
            // user must not have on insurer queues in production: an administrator provisions them.
            logger.LogWarning(
                "The server's broker user may not create the queues of {Insurers}; provision them with infra/rabbitmq/provision.sh. Their claims are parked until then.",
                string.Join(", ", missing));
        }

        logger.LogInformation("Claims topology declared: exchange {Exchange}, {Count} insurer queues", ClaimsWire.Exchange, insurers.Value.Catalogue.Count - missing.Count);
    }
}
