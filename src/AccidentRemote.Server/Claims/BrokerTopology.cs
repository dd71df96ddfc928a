using AccidentRemote.Contracts.Claims;
using AccidentRemote.Server.Insurers;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace AccidentRemote.Server.Claims;

/// <summary>
/// Declares, with RabbitMQ.Client, what insurers read from before any claim is published: the
/// claims and dead-letter exchanges and, per configured insurer, its queues and bindings, all as
/// <see cref="ClaimsTopology"/> describes them (the ack queue is MassTransit's, in <see cref="BusSetup"/>).
/// <c>infra/rabbitmq/provision.sh</c> declares the same description (a queue redeclared with other
/// arguments is refused with PRECONDITION_FAILED). RabbitMQ.Client directly: this is broker
/// administration, and the server never consumes these queues. Retries until the broker answers,
/// so the server can start before the broker does.
/// </summary>
public sealed class BrokerTopology(IOptions<BusOptions> bus, IOptions<InsurerOptions> insurers, ILogger<BrokerTopology> logger) : BackgroundService
{
    public TaskCompletionSource Declared { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The arguments of an insurer's claims queue (<see cref="ClaimsTopology.ClaimsQueue"/>) in RabbitMQ.Client's shape.</summary>
    public static IDictionary<string, object?> QueueArguments(string insurerCode) => ClientArguments(ClaimsTopology.ClaimsQueue(insurerCode));

    private static Dictionary<string, object?> ClientArguments(TopologyQueue queue) => queue.Arguments.ToDictionary(a => a.Key, a => (object?)a.Value);

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
        var factory = bus.Value.RabbitMq.CreateConnectionFactory("accidentremote-topology");
        await using var connection = await factory.CreateConnectionAsync(ct);
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: ct))
        {
            foreach (var exchange in new[] { ClaimsTopology.Claims, ClaimsTopology.DeadLetters })
            {
                await channel.ExchangeDeclareAsync(exchange.Name, exchange.Type, exchange.Durable, autoDelete: false, cancellationToken: ct);
            }
        }

        var missing = new List<string>();
        foreach (var insurer in insurers.Value.Catalogue)
        {
            // One channel per insurer: a refusal closes the channel, and one insurer's queue that the
            // server may not create must not stop the others. Its claims are parked until it exists.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            try
            {
                var (queues, bindings) = ClaimsTopology.ForInsurer(insurer.Code);
                foreach (var queue in queues)
                {
                    await channel.QueueDeclareAsync(queue.Name, queue.Durable, exclusive: false, autoDelete: false, arguments: ClientArguments(queue), cancellationToken: ct);
                }

                foreach (var binding in bindings)
                {
                    await channel.QueueBindAsync(binding.Queue, binding.Exchange, binding.RoutingKey, cancellationToken: ct);
                }
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

        logger.LogInformation("Claims topology declared: exchange {Exchange}, {Count} insurer queues", ClaimsTopology.Claims.Name, insurers.Value.Catalogue.Count - missing.Count);
    }
}
