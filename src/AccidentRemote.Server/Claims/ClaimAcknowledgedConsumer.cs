using System.Text.RegularExpressions;
using AccidentRemote.Contracts.Claims;
using AccidentRemote.Server.Signalling;
using MassTransit;

namespace AccidentRemote.Server.Claims;

/// <summary>
/// Records an insurer's claim report number (报案号) and tells the driver. Every field is
/// untrusted: the claim must exist and belong to the insurer that answered, and on RabbitMQ
/// the broker-verified <c>user_id</c> must be that insurer's user. Idempotent: a repeated
/// acknowledgement changes nothing.
/// </summary>
public sealed partial class ClaimAcknowledgedConsumer(ClaimOutbox outbox, ICaseNotifier notifier, TimeProvider clock, ILogger<ClaimAcknowledgedConsumer> logger)
    : IConsumer<ClaimAcknowledged>
{
    public async Task Consume(ConsumeContext<ClaimAcknowledged> context)
    {
        var ack = context.Message;
        var problem = Check(ack, BrokerUser(context));
        if (problem is null)
        {
            var (claim, refused) = await outbox.AcknowledgeAsync(ack.ClaimId, ack.InsurerCode, ack.ClaimReportNumber, clock.GetUtcNow(), context.CancellationToken);
            problem = refused;
            if (claim is not null)
            {
                logger.LogInformation("Claim {ClaimId} acknowledged by {Insurer}", ack.ClaimId, ack.InsurerCode);
                await notifier.ClaimAcknowledgedAsync(claim.CaseId, claim.PartyId, ack.InsurerCode, ack.ClaimReportNumber);
            }
        }

        if (problem is not null)
        {
            // A bad acknowledgement is dropped (not retried): retrying cannot make it valid.
            logger.LogWarning("Acknowledgement {MessageId} ignored: {Problem}", context.MessageId, problem);
        }
    }

    internal static string? Check(ClaimAcknowledged? ack, string? brokerUser)
    {
        if (ack is null || ack.SchemaVersion != ClaimsWire.SchemaVersion)
        {
            return $"schema version {ack?.SchemaVersion} is not {ClaimsWire.SchemaVersion}";
        }

        if (ack.ClaimId == Guid.Empty || string.IsNullOrEmpty(ack.InsurerCode) || !ReportNumber().IsMatch(ack.ClaimReportNumber ?? ""))
        {
            return "claim id, insurer code or claim report number missing or malformed";
        }

        if (brokerUser is not null && brokerUser != ClaimsWire.BrokerUserFor(ack.InsurerCode))
        {
            return $"sent by broker user '{brokerUser}', not by {ClaimsWire.BrokerUserFor(ack.InsurerCode)}";
        }

        return null;
    }

    /// <summary>The AMQP user_id (checked by RabbitMQ against the connection's user); null on the in-memory bus.</summary>
    private static string? BrokerUser(ConsumeContext context) =>
        context.ReceiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var rabbit) ? rabbit.Properties.UserId ?? "" : null;

    [GeneratedRegex("^[A-Za-z0-9-]{1,64}$")]
    private static partial Regex ReportNumber();
}
