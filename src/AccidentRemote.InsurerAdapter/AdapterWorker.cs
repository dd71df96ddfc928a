using AccidentRemote.Contracts.Claims;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace AccidentRemote.InsurerAdapter;

/// <summary>
/// Consumes <c>claims.&lt;code&gt;</c> with manual acks and a prefetch limit, one delivery at a
/// time. Connection losses are healed by RabbitMQ.Client's automatic recovery, which reopens
/// the channels and re-registers the consumer. What it does not heal (a channel closed by a
/// broker error, the consumer cancelled by the broker, the first connection failing) ends the
/// session, and a new connection is made after a pause.
/// </summary>
internal sealed class AdapterWorker(IOptions<AdapterOptions> options, HandOverStore store, ClaimHandler handler, ILogger<AdapterWorker> logger) : BackgroundService
{
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await store.InitializeAsync(stoppingToken);
        var o = options.Value;
        var pause = o.Broker.NetworkRecoveryInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var lost = await RunSessionAsync(stoppingToken);
                if (lost is null)
                {
                    return;
                }

                logger.LogWarning("Stopped consuming {Queue}: {Reason}; reconnecting in {Pause}", ClaimsWire.QueueFor(o.InsurerCode), lost, pause);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning("Cannot consume {Queue} at {Host}:{Port} ({Error}); retrying in {Pause}", ClaimsWire.QueueFor(o.InsurerCode), o.Broker.Host, o.Broker.Port, ex.Message, pause);
            }

            await Task.Delay(pause, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Returns why the session ended, or null when the adapter is stopping.</summary>
    private async Task<string?> RunSessionAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var queue = ClaimsWire.QueueFor(o.InsurerCode);
        var factory = new ConnectionFactory
        {
            HostName = o.Broker.Host,
            Port = o.Broker.Port,
            VirtualHost = o.Broker.VirtualHost,
            UserName = o.Broker.UserName,
            Password = o.Broker.Password,
            ClientProvidedName = $"accidentremote-insurer-adapter-{o.InsurerCode}",
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = o.Broker.NetworkRecoveryInterval,
        };

        await using var connection = await factory.CreateConnectionAsync(stoppingToken);
        await using var acks = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), stoppingToken);
        await using var claims = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
        await claims.BasicQosAsync(0, o.Prefetch, global: false, stoppingToken);

        var lost = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        acks.ChannelShutdownAsync += (_, e) => WatchAsync(e, "the ack channel", lost);
        claims.ChannelShutdownAsync += (_, e) => WatchAsync(e, "the claims channel", lost);

        var inFlight = Task.CompletedTask;
        var consumer = new AsyncEventingBasicConsumer(claims);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            var work = OnDeliveryAsync(claims, acks, delivery, stoppingToken);
            inFlight = work;
            await work;
        };
        consumer.UnregisteredAsync += (_, _) =>
        {
            if (!stoppingToken.IsCancellationRequested)
            {
                lost.TrySetResult("the broker cancelled the consumer (was the queue deleted?)");
            }

            return Task.CompletedTask;
        };

        // No queue declaration: the insurer user may not configure anything; the queue is AccidentRemote's.
        var tag = await claims.BasicConsumeAsync(queue, autoAck: false, consumer, stoppingToken);
        logger.LogInformation("Consuming {Queue} on {Host}:{Port}{VirtualHost} as {User}, prefetch {Prefetch}", queue, o.Broker.Host, o.Broker.Port, o.Broker.VirtualHost, o.Broker.UserName, o.Prefetch);

        await using (stoppingToken.Register(() => lost.TrySetResult(null)))
        {
            var reason = await lost.Task;
            if (reason is not null)
            {
                return reason;
            }
        }

        // Stopping: take no new deliveries, let the one in hand finish (it ends at a consistent point),
        // then close; anything unacknowledged goes back to the queue for the next start.
        try
        {
            await claims.BasicCancelAsync(tag, noWait: false, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogDebug("Consumer cancel at stop failed: {Error}", ex.Message);
        }

        await inFlight.WaitAsync(AckTimeout + o.HttpTimeout, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        return null;
    }

    private async Task OnDeliveryAsync(IChannel claims, IChannel acks, BasicDeliverEventArgs delivery, CancellationToken stoppingToken)
    {
        var messageId = delivery.BasicProperties.MessageId;
        Outcome outcome;
        try
        {
            outcome = await handler.HandleAsync(messageId, delivery.Body, ack => PublishAckAsync(acks, ack), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping during a back-off: leave it unacknowledged; closing the channel requeues it.
            return;
        }
        catch (Exception ex)
        {
            logger.LogWarning("Claim {MessageId} not finished ({Error}); it goes back to the queue", messageId, ex.Message);
            outcome = Outcome.Requeue;
        }

        try
        {
            switch (outcome)
            {
                case Outcome.Ack:
                    await claims.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None);
                    break;
                case Outcome.Requeue:
                    await claims.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
                    break;
                default:
                    await claims.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false, CancellationToken.None);
                    break;
            }
        }
        catch (Exception ex)
        {
            // The channel is gone: the broker has already put the delivery back and will redeliver it.
            logger.LogWarning("Claim {MessageId}: could not {Outcome} it ({Error}); the broker redelivers it", messageId, outcome, ex.Message);
        }

    }

    private async Task PublishAckAsync(IChannel acks, ClaimAcknowledged ack)
    {
        var o = options.Value;
        var properties = new BasicProperties
        {
            ContentType = "application/json",
            MessageId = Guid.NewGuid().ToString(),
            CorrelationId = ack.ClaimId.ToString(),
            UserId = o.Broker.UserName,
            Persistent = true,
            Timestamp = new AmqpTimestamp(ack.AcknowledgedAt.ToUnixTimeSeconds()),
        };
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(ack, ClaimHandler.Json);
        using var timeout = new CancellationTokenSource(AckTimeout);

        // mandatory + confirm tracking: returns only when the broker has it in the server's ack
        // queue; an unroutable ack (no binding for this code) throws PublishReturnException instead.
        await acks.BasicPublishAsync(ClaimsWire.AcksExchange, o.InsurerCode, mandatory: true, properties, body, timeout.Token);
    }

    private static Task WatchAsync(ShutdownEventArgs e, string which, TaskCompletionSource<string?> lost)
    {
        // A lost connection closes every channel too (320, 541, …); automatic recovery reopens those.
        // A channel error from the broker closes just that channel, and nothing reopens it.
        if (e.Initiator == ShutdownInitiator.Peer && e.ReplyCode is 403 or 404 or 405 or 406)
        {
            lost.TrySetResult($"{which} was closed by the broker: {e.ReplyCode} {e.ReplyText}");
        }

        return Task.CompletedTask;
    }
}
