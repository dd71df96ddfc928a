using System.Text.RegularExpressions;
using AccidentRemote.Contracts.Claims;
using AccidentRemote.Server.Data;
using AccidentRemote.Server.Signalling;
using Dapper;

namespace AccidentRemote.Server.Claims;

/// <summary>What became of an insurer's acknowledgement.</summary>
public enum AcknowledgementResult
{
    /// <summary>Recorded now, and the driver told.</summary>
    Recorded,

    /// <summary>The claim already had this report number (a repeat): nothing changed.</summary>
    AlreadyRecorded,

    /// <summary>The claim already has another report number: nothing changed.</summary>
    AlreadyRecordedOtherwise,

    /// <summary>Malformed, of an unknown schema version, or sent by another broker user: see the problem.</summary>
    Invalid,

    /// <summary>No such claim, or it belongs to another insurer: see the problem.</summary>
    UnknownClaim,
}

/// <summary>
/// The result of <see cref="ClaimLedger.RecordAcknowledgementAsync"/>: <c>Problem</c> says why an invalid or unknown
/// one was refused; <c>RecordedReportNumber</c> is the number the claim already has when it was recorded otherwise.
/// </summary>
public sealed record AcknowledgementOutcome(AcknowledgementResult Result, string? Problem = null, string? RecordedReportNumber = null);

/// <summary>
/// The claims ledger: reads of the <c>claims</c> table for the pages, the desk and the statistics,
/// and the one place an insurer's acknowledgement (报案号) is recorded, whether it came over the bus
/// (<see cref="ClaimAcknowledgedConsumer"/>) or from the insurer desk.
/// </summary>
public sealed partial class ClaimLedger(Db db, ICaseNotifier notifier, TimeProvider clock, ClaimMetrics metrics)
{
    /// <summary>
    /// Records an insurer's acknowledgement once and tells the driver. Every field is untrusted: the
    /// claim must exist and belong to the insurer that answered, and <paramref name="brokerUser"/>
    /// (the AMQP user_id RabbitMQ checked; null off the broker) must be that insurer's user.
    /// Idempotent: a repeated acknowledgement changes nothing.
    /// </summary>
    public async Task<AcknowledgementOutcome> RecordAcknowledgementAsync(ClaimAcknowledged ack, string? brokerUser, CancellationToken ct)
    {
        if (Check(ack, brokerUser) is { } problem)
        {
            return new(AcknowledgementResult.Invalid, problem);
        }

        await using var c = await db.OpenAsync(ct);
        var claim = await c.QuerySingleOrDefaultAsync<ClaimRow>($"SELECT {ClaimRow.Columns} FROM claims WHERE id = @claimId", new { claimId = ack.ClaimId });
        if (claim is null)
        {
            return new(AcknowledgementResult.UnknownClaim, $"unknown claim {ack.ClaimId}");
        }

        if (claim.InsurerCode != ack.InsurerCode)
        {
            return new(AcknowledgementResult.UnknownClaim, $"claim {ack.ClaimId} belongs to another insurer");
        }

        if (claim.AcknowledgedAt is not null)
        {
            return claim.ClaimReportNumber == ack.ClaimReportNumber
                ? new(AcknowledgementResult.AlreadyRecorded)
                : new(AcknowledgementResult.AlreadyRecordedOtherwise, RecordedReportNumber: claim.ClaimReportNumber);
        }

        var changed = await c.ExecuteAsync("""
            UPDATE claims SET claim_report_number = @reportNumber, acknowledged_at = @now,
                status = CASE WHEN status = @parked OR status = @pending THEN @sent ELSE status END,
                sent_at = COALESCE(sent_at, @now)
            WHERE id = @claimId AND acknowledged_at IS NULL
            """,
            new { reportNumber = ack.ClaimReportNumber, now = clock.GetUtcNow(), claimId = ack.ClaimId, parked = ClaimStatus.Parked, pending = ClaimStatus.Pending, sent = ClaimStatus.Sent });
        if (changed != 1)
        {
            return new(AcknowledgementResult.AlreadyRecorded); // another answer won the race
        }

        metrics.Acknowledged(claim.InsurerCode);
        await notifier.ClaimAcknowledgedAsync(claim.CaseId, claim.PartyId, ack.InsurerCode, ack.ClaimReportNumber);
        return new(AcknowledgementResult.Recorded);
    }

    /// <summary>What is wrong with an acknowledgement before the database is asked, or null.</summary>
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

    public async Task<IReadOnlyList<ClaimRow>> AllSinceAsync(DateTimeOffset since, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<ClaimRow>($"SELECT {ClaimRow.Columns} FROM claims WHERE created_at >= @since", new { since })).ToList();
    }

    public async Task<ClaimRow?> FindAsync(Guid claimId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<ClaimRow>($"SELECT {ClaimRow.Columns} FROM claims WHERE id = @claimId", new { claimId });
    }

    public async Task<IReadOnlyList<ClaimRow>> ForInsurerAsync(string insurerCode, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<ClaimRow>($"SELECT {ClaimRow.Columns} FROM claims WHERE insurer_code = @insurerCode ORDER BY created_at DESC LIMIT 500", new { insurerCode })).ToList();
    }

    public async Task<IReadOnlyList<ClaimRow>> ForPartyAsync(Guid partyId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<ClaimRow>($"SELECT {ClaimRow.Columns} FROM claims WHERE party_id = @partyId", new { partyId })).ToList();
    }

    public async Task<IReadOnlyList<ClaimRow>> ForCaseAsync(Guid caseId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<ClaimRow>($"SELECT {ClaimRow.Columns} FROM claims WHERE case_id = @caseId ORDER BY insurer_code", new { caseId })).ToList();
    }

    public async Task<IReadOnlyList<ClaimRow>> ByStatusAsync(string? status, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<ClaimRow>($"""
            SELECT {ClaimRow.Columns} FROM claims WHERE (@status IS NULL OR status = @status)
            ORDER BY created_at DESC LIMIT @limit
            """, new { status, limit })).ToList();
    }

    [GeneratedRegex("^[A-Za-z0-9-]{1,64}$")]
    private static partial Regex ReportNumber();
}
