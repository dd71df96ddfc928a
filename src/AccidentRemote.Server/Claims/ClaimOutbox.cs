using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Data;
using AccidentRemote.Server.Telemetry;
using Dapper;

namespace AccidentRemote.Server.Claims;

/// <summary>
/// The claims outbox: the dispatcher's queue in the <c>claims</c> table. Claims are written in the
/// transaction that closes the case and leave only when the broker has confirmed them; a crash in
/// between means they are sent again with the same message id, never lost. Enqueue, lease, mark
/// sent, mark failed (pending again or parked) and requeue the unacknowledged; reads and
/// acknowledgements are <see cref="ClaimLedger"/>'s, building a claim is <see cref="ClaimBuilder"/>'s.
/// </summary>
public sealed class ClaimOutbox(Db db, ClaimDispatchSignal signal, ClaimBuilder builder)
{
    /// <summary>
    /// Adds one claim per party whose insurer is known, closed at <paramref name="now"/>. Call inside the
    /// closing transaction (the close hook), then <see cref="NotifyDispatcher"/> after it committed.
    /// </summary>
    public async Task EnqueueAsync(DbConnection c, DbTransaction tx, CaseDetails details, DateTimeOffset now, CancellationToken ct)
    {
        // A child of the closing transaction's span; its traceparent goes with each row, and the dispatcher's
        // publish continues from it (ClaimDispatcher), whenever and wherever that happens.
        using var activity = Tracing.Source.StartActivity("claims enqueue");
        activity?.SetTag("accidentremote.case.id", details.Case.Id.ToString());
        var traceparent = Tracing.CurrentTraceparent();
        foreach (var (party, claim) in await builder.BuildAsync(c, tx, details, now, ct))
        {
            await c.ExecuteAsync($"""
                INSERT INTO claims ({ClaimRow.Columns})
                VALUES (@Id, @CaseId, @PartyId, @InsurerCode, @Payload, @Status, 0, NULL, @Now, @Now, NULL, NULL, NULL, NULL, 0, @Traceparent)
                """,
                new { Id = claim.ClaimId, CaseId = details.Case.Id, PartyId = party.Id, claim.InsurerCode, Payload = JsonSerializer.Serialize(claim, ClaimPayload.Json), Status = ClaimStatus.Pending, Now = now, Traceparent = traceparent },
                tx);
        }
    }

    /// <summary>Wakes the dispatcher; call after the closing transaction committed.</summary>
    public void NotifyDispatcher() => signal.Notify();

    /// <summary>
    /// Takes up to <paramref name="max"/> due claims for this node for <paramref name="lease"/>.
    /// The lease makes two nodes (or two loops) never publish the same claim at once; a node
    /// that dies leaves its lease to expire and another takes the claim over.
    /// </summary>
    public async Task<IReadOnlyList<ClaimRow>> LeaseDueAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<ClaimRow>($"""
            UPDATE claims SET locked_until = @until
            WHERE id IN (
                SELECT id FROM claims
                WHERE status IN (@pending, @parked) AND next_attempt_at <= @now AND (locked_until IS NULL OR locked_until < @now)
                ORDER BY next_attempt_at
                LIMIT @max)
              AND status IN (@pending, @parked) AND (locked_until IS NULL OR locked_until < @now)
            RETURNING {ClaimRow.Columns}
            """,
            new { until = now + lease, now, max, pending = ClaimStatus.Pending, parked = ClaimStatus.Parked });
        return rows.OrderBy(r => r.CreatedAt).ToList();
    }

    /// <summary>Marks claims the broker confirmed as sent, in one statement (one round trip for a whole leased batch).</summary>
    public async Task MarkSentAsync(IReadOnlyCollection<Guid> ids, DateTimeOffset now, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return;
        }

        // One parameter per id, named here: Dapper passes a list to Npgsql as an array (which `IN` does
        // not take) but expands it for SQLite, so the shared SQL spells the list out itself.
        var parameters = new DynamicParameters(new { now, sent = ClaimStatus.Sent });
        var names = new List<string>(ids.Count);
        foreach (var id in ids)
        {
            var name = "id" + names.Count.ToString(CultureInfo.InvariantCulture);
            parameters.Add(name, id);
            names.Add("@" + name);
        }

        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync($"""
            UPDATE claims SET status = @sent, sent_at = @now, first_sent_at = COALESCE(first_sent_at, @now),
                attempts = attempts + 1, last_error = NULL, locked_until = NULL
            WHERE id IN ({string.Join(", ", names)})
            """, parameters);
    }

    /// <summary>
    /// Claims the broker took but the insurer has not answered within <paramref name="ackTimeout"/>:
    /// put back into the outbox to be published again with the same message id.
    /// </summary>
    public async Task<int> RequeueUnacknowledgedAsync(DateTimeOffset now, TimeSpan ackTimeout, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync("""
            UPDATE claims SET status = @pending, next_attempt_at = @now, republished = republished + 1,
                last_error = 'not acknowledged by the insurer in time; published again'
            WHERE status = @sent AND acknowledged_at IS NULL AND sent_at < @cutoff
            """, new { pending = ClaimStatus.Pending, sent = ClaimStatus.Sent, now, cutoff = now - ackTimeout });
    }

    /// <summary>A publish that did not go through: <paramref name="status"/> is pending (retry after back-off) or parked (no queue for the insurer).</summary>
    public async Task MarkFailedAsync(Guid id, string status, string error, DateTimeOffset nextAttempt, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync("""
            UPDATE claims SET status = @status, attempts = attempts + 1, last_error = @error, next_attempt_at = @nextAttempt, locked_until = NULL
            WHERE id = @id
            """, new { id, status, error, nextAttempt });
    }
}

/// <summary>Lets a closing case wake the dispatcher at once instead of at its next poll.</summary>
public sealed class ClaimDispatchSignal : IDisposable
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Notify()
    {
        try
        {
            if (signal.CurrentCount == 0)
            {
                signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => signal.WaitAsync(timeout, ct);

    public void Dispose() => signal.Dispose();
}
