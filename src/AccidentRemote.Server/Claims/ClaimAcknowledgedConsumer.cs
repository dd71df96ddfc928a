using AccidentRemote.Contracts.Claims;
using MassTransit;

namespace AccidentRemote.Server.Claims;

/// <summary>
/// An insurer's acknowledgement over the bus, handed to <see cref="ClaimLedger.RecordAcknowledgementAsync"/>
/// with the broker-verified <c>user_id</c> (on RabbitMQ it must be that insurer's user).
/// </summary>
public sealed class ClaimAcknowledgedConsumer(ClaimLedger ledger, ILogger<ClaimAcknowledgedConsumer> logger) : IConsumer<ClaimAcknowledged>
{
    public async Task Consume(ConsumeContext<ClaimAcknowledged> context)
    {
        var ack = context.Message;
        var outcome = await ledger.RecordAcknowledgementAsync(ack, BrokerUser(context), context.CancellationToken);
        if (outcome.Result == AcknowledgementResult.Recorded)
        {
            logger.LogInformation("Claim {ClaimId} acknowledged by {Insurer}", ack.ClaimId, ack.InsurerCode);
        }
        else if (outcome.Problem is not null)
        {
            // A bad acknowledgement is dropped (not retried): retrying cannot make it valid.
            logger.LogWarning("Acknowledgement {MessageId} ignored: {Problem}", context.MessageId, outcome.Problem);
        }
    }

    /// <summary>The AMQP user_id (checked by RabbitMQ against the connection's user); null on the in-memory bus.</summary>
    private static string? BrokerUser(ConsumeContext context) =>
        context.ReceiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var rabbit) ? rabbit.Properties.UserId ?? "" : null;
}
