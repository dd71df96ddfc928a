using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using AccidentRemote.Contracts.Claims;
using AccidentRemote.Server.Telemetry;
using MassTransit;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Claims;

/// <summary>
/// Publishes outbox claims to the broker. A claim is marked sent only after the broker
/// confirmed it (publisher confirms) and routed it to a queue (mandatory flag). Unroutable
/// claims are parked and retried; broker failures back off and retry. The message id is the
/// claim id, so a retry after a crash is recognisable as the same claim.
/// </summary>
public sealed class ClaimDispatcher(
    ClaimOutbox outbox,
    ClaimDispatchSignal signal,
    IBus bus,
    ClaimMetrics metrics,
    IOptions<ClaimsOptions> options,
    TimeProvider clock,
    ILogger<ClaimDispatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        // The lease must outlast the whole batch even if every publish waits out its timeout, or another
        // node would take over claims this one is still publishing: one timeout per wave of concurrent
        // publishes, plus margin for the database.
        var waves = (o.BatchSize + o.PublishConcurrency - 1) / o.PublishConcurrency;
        var lease = o.PublishTimeout * (waves + 2);
        while (!stoppingToken.IsCancellationRequested)
        {
            var dispatched = 0;
            try
            {
                var batch = await outbox.LeaseDueAsync(clock.GetUtcNow(), lease, o.BatchSize, stoppingToken);
                // Several confirms in flight at once: waiting for each before the next caps throughput at one
                // broker round trip per claim. Each claim is leased to this node alone, so order between them is free.
                var confirmed = new ConcurrentQueue<Guid>();
                try
                {
                    await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = o.PublishConcurrency, CancellationToken = stoppingToken },
                        async (claim, ct) =>
                        {
                            if (await DispatchAsync(claim, o, ct))
                            {
                                confirmed.Enqueue(claim.Id);
                            }
                        });
                }
                finally
                {
                    // Confirmed claims are marked sent together, in one statement, even when the pass is cut short.
                    // Until then they stay leased: a crash in between publishes them again with the same message id.
                    await outbox.MarkSentAsync(confirmed, clock.GetUtcNow(), CancellationToken.None);
                }

                dispatched = batch.Count;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The database itself failed; the claims stay in the outbox and are tried again.
                logger.LogError(ex, "Claim dispatch pass failed; will retry");
            }

            if (dispatched == 0)
            {
                try
                {
                    var requeued = await outbox.RequeueUnacknowledgedAsync(clock.GetUtcNow(), o.AckTimeout, stoppingToken);
                    if (requeued > 0)
                    {
                        logger.LogWarning("{Count} claims were not acknowledged within {Timeout}; publishing them again", requeued, o.AckTimeout);
                        continue;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Could not look for unacknowledged claims; will retry");
                }

                try
                {
                    await signal.WaitAsync(o.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Publishes one claim; true when the broker confirmed it (the caller marks it sent), false when it was parked or deferred.</summary>
    private async Task<bool> DispatchAsync(ClaimRow claim, ClaimsOptions o, CancellationToken stoppingToken)
    {
        // Under the span that enqueued the claim (stored with the row), so the close and this publish are one
        // trace; MassTransit's send span, which ends with the broker's confirm, is this one's child.
        using var activity = Tracing.Source.StartActivity("claim publish", ActivityKind.Producer, Tracing.ParentFrom(claim.Traceparent));
        activity?.SetTag("accidentremote.claim.id", claim.Id.ToString());
        activity?.SetTag("accidentremote.insurer", claim.InsurerCode);
        activity?.SetTag("accidentremote.claim.attempt", claim.Attempts + 1);
        ClaimSubmitted? message;
        try
        {
            message = JsonSerializer.Deserialize<ClaimSubmitted>(claim.Payload, ClaimPayload.Json);
        }
        catch (JsonException ex)
        {
            message = null;
            logger.LogError(ex, "Claim {ClaimId} has an unreadable payload", claim.Id);
        }

        if (message is null)
        {
            activity?.SetTag("accidentremote.claim.outcome", "parked").SetStatus(ActivityStatusCode.Error, "unreadable payload");
            await outbox.MarkFailedAsync(claim.Id, ClaimStatus.Parked, "The stored claim could not be read.", clock.GetUtcNow() + o.ParkedRetryInterval, stoppingToken);
            return false;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(o.PublishTimeout);
        try
        {
            await bus.Publish(message, ctx =>
            {
                ctx.MessageId = claim.Id;
                ctx.Mandatory = true; // unroutable (no queue for the insurer) comes back as MessageReturnedException
            }, timeout.Token);
            logger.LogInformation("Claim {ClaimId} for insurer {Insurer} confirmed by the broker", claim.Id, claim.InsurerCode);
            activity?.SetTag("accidentremote.claim.outcome", "confirmed");
            metrics.Published(claim.InsurerCode);
            return true;
        }
        catch (Exception ex) when (IsUnroutable(ex))
        {
            var reason = $"No queue is bound for insurer '{claim.InsurerCode}' ({ClaimsWire.QueueFor(claim.InsurerCode)}); parked and retried every {o.ParkedRetryInterval.TotalSeconds:0.#} s.";
            activity?.SetTag("accidentremote.claim.outcome", "parked").SetStatus(ActivityStatusCode.Error, "no queue bound for the insurer");
            await outbox.MarkFailedAsync(claim.Id, ClaimStatus.Parked, reason, clock.GetUtcNow() + o.ParkedRetryInterval, stoppingToken);
            logger.LogWarning("Claim {ClaimId} parked: {Reason}", claim.Id, reason);
            return false;
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            var delay = Backoff(claim.Attempts, o.MaxRetryDelay);
            var reason = ex is OperationCanceledException
                ? $"The broker did not confirm within {o.PublishTimeout.TotalSeconds:0.#} s."
                : $"Publishing failed: {ex.GetType().Name}: {ex.Message}";
            activity?.SetTag("accidentremote.claim.outcome", "retry").SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            await outbox.MarkFailedAsync(claim.Id, ClaimStatus.Pending, reason, clock.GetUtcNow() + delay, stoppingToken);
            logger.LogWarning("Claim {ClaimId} not delivered yet ({Reason}); retry in {Delay}", claim.Id, reason, delay);
            return false;
        }
    }

    private static bool IsUnroutable(Exception ex) =>
        ex is MessageReturnedException || ex.InnerException is MessageReturnedException;

    internal static TimeSpan Backoff(int attempts, TimeSpan max)
    {
        var ms = 250 * Math.Pow(2, Math.Min(attempts, 16));
        return TimeSpan.FromMilliseconds(Math.Min(ms, max.TotalMilliseconds));
    }
}
