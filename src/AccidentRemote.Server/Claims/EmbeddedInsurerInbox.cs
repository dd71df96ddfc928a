using System.Text.Json;
using AccidentRemote.Contracts.Claims;
using AccidentRemote.Server.Data;
using Dapper;
using MassTransit;

namespace AccidentRemote.Server.Claims;

/// <summary>
/// With the in-memory bus there is no insurer on the other end. Each insurer's in-memory
/// queue is read by this consumer, which keeps what arrived so a developer (and the
/// embedded tests) can see which insurer got which claim. The insurer is taken from the
/// queue the message arrived on, not from the message, so routing mistakes show.
/// </summary>
public sealed class EmbeddedInsurerInboxConsumer(Db db, TimeProvider clock) : IConsumer<ClaimSubmitted>
{
    public async Task Consume(ConsumeContext<ClaimSubmitted> context)
    {
        var queue = context.ReceiveContext.InputAddress.AbsolutePath.Split('/').Last();
        var insurer = queue.StartsWith("claims.", StringComparison.Ordinal) ? queue["claims.".Length..] : queue;
        await using var c = await db.OpenAsync(context.CancellationToken);
        await c.ExecuteAsync("""
            INSERT INTO embedded_insurer_inbox (message_id, insurer_code, received_at, payload)
            VALUES (@id, @insurer, @now, @payload)
            ON CONFLICT (message_id) DO NOTHING
            """,
            new { id = context.MessageId ?? context.Message.ClaimId, insurer, now = clock.GetUtcNow(), payload = JsonSerializer.Serialize(context.Message, ClaimPayload.Json) });

        // Play the insurer's part too: answer with a claim report number, as a real insurer's adapter would.
        await context.Publish(new ClaimAcknowledged
        {
            ClaimId = context.Message.ClaimId,
            InsurerCode = insurer,
            ClaimReportNumber = EmbeddedReportNumber(insurer, context.Message.ClaimId),
            AcknowledgedAt = clock.GetUtcNow(),
        });
    }

    /// <summary>A stable, recognisably fake report number: the insurer's code and part of the claim id.</summary>
    public static string EmbeddedReportNumber(string insurer, Guid claimId) => $"DEV-{insurer.ToUpperInvariant()}-{claimId.ToString("N")[..10].ToUpperInvariant()}";
}

public sealed record EmbeddedInboxItem(Guid MessageId, string InsurerCode, DateTimeOffset ReceivedAt, ClaimSubmitted Claim);

public sealed class EmbeddedInboxReader(Db db)
{
    private sealed class Row
    {
        public Guid MessageId { get; set; }

        public string InsurerCode { get; set; } = "";

        public DateTimeOffset ReceivedAt { get; set; }

        public string Payload { get; set; } = "";
    }

    public async Task<IReadOnlyList<EmbeddedInboxItem>> ReadAsync(string insurer, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(
            "SELECT message_id, insurer_code, received_at, payload FROM embedded_insurer_inbox WHERE insurer_code = @insurer ORDER BY received_at",
            new { insurer });
        return rows.Select(r => new EmbeddedInboxItem(r.MessageId, r.InsurerCode, r.ReceivedAt, JsonSerializer.Deserialize<ClaimSubmitted>(r.Payload, ClaimPayload.Json)!)).ToList();
    }
}
