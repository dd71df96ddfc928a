using AccidentRemote.Contracts.Claims;
using AccidentRemote.Server.Insurers;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace AccidentRemote.Server.Claims;

/// <summary>
/// How many messages wait in each insurer's dead-letter queue (<c>claims.&lt;code&gt;.dead</c>), by a passive
/// queue declare (it creates nothing and needs no rights on the queue's messages). One connection, kept and
/// reopened when lost; one channel per queue, since a refusal (queue missing) closes its channel. An insurer
/// whose queue cannot be read has no value rather than a false 0. RabbitMQ only: the in-memory bus has no
/// dead-letter queues, and the metric is absent there.
/// </summary>
internal sealed class DeadLetterCounts(IOptions<BusOptions> bus, IOptions<InsurerOptions> insurers) : IAsyncDisposable
{
    private IConnection? connection;

    public async Task<IReadOnlyDictionary<string, long>> CountAsync(CancellationToken ct)
    {
        if (connection is not { IsOpen: true })
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            connection = await bus.Value.RabbitMq.CreateConnectionFactory("accidentremote-metrics").CreateConnectionAsync(ct);
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var insurer in insurers.Value.Catalogue)
        {
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            try
            {
                var queue = await channel.QueueDeclarePassiveAsync(ClaimsWire.DeadLetterQueueFor(insurer.Code), ct);
                counts[insurer.Code] = queue.MessageCount;
            }
            catch (OperationInterruptedException)
            {
                // Not there (404) or not ours to see (403): no value for this insurer.
            }
        }

        return counts;
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }
}
