using System.Text.Json;
using AccidentRemote.Contracts.Claims;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccidentRemote.InsurerAdapter;

/// <summary>What to tell the broker about a delivery.</summary>
internal enum Outcome
{
    /// <summary>Handed over (now or before) and its ack published: basic.ack.</summary>
    Ack,

    /// <summary>The insurer's system is failing: basic.nack requeue=true; the delivery limit dead-letters it in the end.</summary>
    Requeue,

    /// <summary>Poison: basic.nack requeue=false, straight to the dead-letter queue.</summary>
    Reject,
}

/// <summary>
/// One claim delivery, from bytes to outcome: check it, drop it if it was handed over before,
/// else hand it over (with back-off), record it, publish the ack. Logs ids, case numbers and
/// report numbers only, never the body (names, phones, plates, ID numbers).
/// </summary>
internal sealed class ClaimHandler(
    IOptions<AdapterOptions> options,
    HandOverStore store,
    IInsurerSystem system,
    AdapterHooks hooks,
    TimeProvider time,
    ILogger<ClaimHandler> logger)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<Outcome> HandleAsync(string? messageId, ReadOnlyMemory<byte> body, Func<ClaimAcknowledged, Task> publishAck, CancellationToken stopping)
    {
        var code = options.Value.InsurerCode;
        if (!Guid.TryParse(messageId, out var id))
        {
            return Poison(messageId, "it has no message_id holding a claim id");
        }

        ClaimSubmitted? claim;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("schemaVersion", out var v)
                || !v.TryGetInt32(out var version))
            {
                return Poison(messageId, "it has no schemaVersion");
            }

            if (version != ClaimsWire.SchemaVersion)
            {
                return Poison(messageId, $"its schemaVersion is {version}; this adapter reads {ClaimsWire.SchemaVersion}");
            }

            claim = document.Deserialize<ClaimSubmitted>(Json);
        }
        catch (JsonException ex)
        {
            // Path and line only: the exception's message may quote the body.
            return Poison(messageId, $"it is not a valid claim (JSON at {ex.Path ?? "$"}, line {ex.LineNumber})");
        }
        catch (InvalidOperationException)
        {
            return Poison(messageId, "it is not a valid claim (schemaVersion is not a number)");
        }

        if (claim is null)
        {
            return Poison(messageId, "it is not a valid claim (null)");
        }

        if (claim.InsurerCode != code)
        {
            return Poison(messageId, $"it is for insurer '{claim.InsurerCode}', not '{code}'");
        }

        if (claim.ClaimId != id)
        {
            return Poison(messageId, "its claimId differs from its message_id");
        }

        var record = await store.FindAsync(id, CancellationToken.None);
        if (record is null)
        {
            var number = await system.FindAsync(id, CancellationToken.None);
            if (number is null)
            {
                var result = await HandOverWithRetriesAsync(claim, body, stopping);
                if (result is null)
                {
                    return Outcome.Requeue;
                }

                if (result.Refusal is not null)
                {
                    return Poison(messageId, result.Refusal);
                }

                number = result.ClaimReportNumber!;
            }

            record = await store.RecordHandOverAsync(id, number, CancellationToken.None);
            logger.LogInformation("Claim {ClaimId} of case {CaseNumber} handed over; claim report number {ClaimReportNumber}", id, claim.CaseNumber, record.ClaimReportNumber);
            await hooks.AfterHandOverRecorded(id);
        }
        else
        {
            logger.LogInformation("Claim {ClaimId} was handed over before ({HandedOverAt:O}); not handing it over again", id, record.HandedOverAt);
        }

        if (record.AckPublishedAt is null)
        {
            await publishAck(new ClaimAcknowledged
            {
                ClaimId = id,
                InsurerCode = code,
                ClaimReportNumber = record.ClaimReportNumber,
                AcknowledgedAt = time.GetUtcNow(),
            });
            await store.MarkAckPublishedAsync(id, CancellationToken.None);
            logger.LogInformation("Claim {ClaimId} acknowledged to AccidentRemote with {ClaimReportNumber}", id, record.ClaimReportNumber);
        }

        return Outcome.Ack;
    }

    /// <summary>Null when every try failed (the caller requeues); a stop cuts the back-off short by throwing.</summary>
    private async Task<HandOverResult?> HandOverWithRetriesAsync(ClaimSubmitted claim, ReadOnlyMemory<byte> body, CancellationToken stopping)
    {
        var o = options.Value;
        var delay = o.FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Not the stop token: a hand-over already under way is let finish (bounded by HttpTimeout),
                // so that it is recorded; cancelling it half way is what could make a duplicate.
                return await system.HandOverAsync(claim.ClaimId, body, CancellationToken.None);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or UnauthorizedAccessException or JsonException)
            {
                if (attempt >= o.MaxAttempts)
                {
                    logger.LogWarning("Claim {ClaimId}: hand-over failed {Attempts} times ({Error}); giving it back to the queue", claim.ClaimId, attempt, ex.Message);
                    return null;
                }

                logger.LogWarning("Claim {ClaimId}: hand-over try {Attempt} of {MaxAttempts} failed ({Error}); next try in {Delay}", claim.ClaimId, attempt, o.MaxAttempts, ex.Message, delay);
                await Task.Delay(delay, time, stopping);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, o.MaxRetryDelay.Ticks));
            }
        }
    }

    private Outcome Poison(string? messageId, string why)
    {
        logger.LogError("Message {MessageId} rejected to the dead-letter queue: {Reason}", messageId ?? "(none)", why);
        return Outcome.Reject;
    }
}
