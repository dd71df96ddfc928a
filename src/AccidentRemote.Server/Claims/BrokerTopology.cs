using AccidentRemote.Contracts.Claims;
using AccidentRemote.Server.Insurers;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace AccidentRemote.Server.Claims;

/// <summary>
/// Declares what insurers read from, before any claim is published: the durable direct
/// exchange and, per configured insurer, a durable quorum queue <c>claims.&lt;code&gt;</c>
/// bound with the insurer code. Uses RabbitMQ.Client directly: this is broker
/// administration, and the server never consumes these queues. Retries until the broker
/// answers, so the server can start before the broker does.
/// </summary>
public sealed class BrokerTopology(IOptions<BusOptions> bus, IOptions<InsurerOptions> insurers, ILogger<BrokerTopology> logger) : BackgroundService
{
    public TaskCompletionSource Declared { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static IDictionary<string, object?> QueueArguments() => new Dictionary<string, object?> { ["x-queue-type"] = "quorum" };

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
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        await channel.ExchangeDeclareAsync(ClaimsWire.Exchange, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: ct);
        foreach (var insurer in insurers.Value.Catalogue)
        {
            var queue = ClaimsWire.QueueFor(insurer.Code);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: QueueArguments(), cancellationToken: ct);
            await channel.QueueBindAsync(queue, ClaimsWire.Exchange, insurer.Code, cancellationToken: ct);
        }

        logger.LogInformation("Claims topology declared: exchange {Exchange}, {Count} insurer queues", ClaimsWire.Exchange, insurers.Value.Catalogue.Count);
    }
}
