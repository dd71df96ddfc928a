using System.Data.Common;
using System.Security.Cryptography;
using AccidentRemote.Server.Audit;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Claims;
using AccidentRemote.Server.Data;
using Dapper;

namespace AccidentRemote.Server.Cases;

/// <summary>The outcome of a state change: done, or refused with the state the case is in.</summary>
public abstract record CaseChange
{
    public sealed record Done(CaseDetails Case) : CaseChange;

    public sealed record NotFound : CaseChange;

    public sealed record WrongState(string Status, string Reason) : CaseChange;

    public sealed record NotYours(Guid? OfficerId) : CaseChange;

    public sealed record Invalid(string Field, string Reason) : CaseChange;
}

/// <summary>Cases and their parties. Every state change is one transaction with its event row.</summary>
public sealed class CaseStore(Db db, TimeProvider clock, ClaimOutbox outbox)
{
    private const string CaseColumns = """
        id, case_number, status, join_code, expected_parties, accident_time, latitude, longitude, address,
        anyone_injured, vehicles_drivable, hazardous_goods, escalation_reason, officer_id,
        reported_at, answered_at, vehicles_moved_at, closed_at, escalated_at
        """;

    private const string PartyColumns = """
        id, case_id, party_number, phone, plate, vehicle_type, insurer_code, policy_number, liability, joined_at
        """;

    public sealed record NewReport(
        VehicleData Vehicle, DateTimeOffset AccidentTime, double? Latitude, double? Longitude, string? Address,
        int ExpectedParties, bool AnyoneInjured, bool VehiclesDrivable, bool HazardousGoods, string? EscalationReason);

    public sealed record Created(CaseRow Case, PartyRow Party, string PartyToken);

    public async Task<Created> ReportAsync(NewReport report, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var escalated = report.EscalationReason is not null;
        for (var attempt = 0; ; attempt++)
        {
            var row = new CaseRow
            {
                Id = Guid.NewGuid(),
                CaseNumber = NewCaseNumber(now),
                Status = escalated ? CaseStatus.Escalated : CaseStatus.Reported,
                JoinCode = escalated || report.ExpectedParties < 2 ? null : NewJoinCode(),
                ExpectedParties = report.ExpectedParties,
                AccidentTime = report.AccidentTime.ToUniversalTime(),
                Latitude = report.Latitude,
                Longitude = report.Longitude,
                Address = report.Address?.Trim(),
                AnyoneInjured = report.AnyoneInjured ? 1 : 0,
                VehiclesDrivable = report.VehiclesDrivable ? 1 : 0,
                HazardousGoods = report.HazardousGoods ? 1 : 0,
                EscalationReason = report.EscalationReason,
                ReportedAt = now,
                EscalatedAt = escalated ? now : null,
            };
            try
            {
                await using var c = await db.OpenAsync(ct);
                await using var tx = await c.BeginTransactionAsync(ct);
                await c.ExecuteAsync($"""
                    INSERT INTO cases ({CaseColumns})
                    VALUES (@Id, @CaseNumber, @Status, @JoinCode, @ExpectedParties, @AccidentTime, @Latitude, @Longitude, @Address,
                            @AnyoneInjured, @VehiclesDrivable, @HazardousGoods, @EscalationReason, @OfficerId,
                            @ReportedAt, @AnsweredAt, @VehiclesMovedAt, @ClosedAt, @EscalatedAt)
                    """, row, tx);
                var (party, token) = await InsertPartyAsync(c, tx, row.Id, 1, report.Vehicle, now);
                await AddEventAsync(c, tx, row.Id, "reported", $"party:{party.Id}", null, now);
                if (escalated)
                {
                    await AddEventAsync(c, tx, row.Id, "escalated", "system", report.EscalationReason, now);
                }

                await tx.CommitAsync(ct);
                return new Created(row, party, token);
            }
            catch (Exception ex) when (Db.IsUniqueViolation(ex) && attempt < 5)
            {
                // Case number or join code collided with an existing one: draw again.
            }
        }
    }

    public abstract record JoinResult
    {
        public sealed record Joined(CaseRow Case, PartyRow Party, string PartyToken) : JoinResult;

        public sealed record UnknownCode : JoinResult;

        public sealed record Full(int ExpectedParties) : JoinResult;

        public sealed record AlreadyJoined : JoinResult;
    }

    public async Task<JoinResult> JoinAsync(string joinCode, VehicleData vehicle, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        for (var attempt = 0; ; attempt++)
        {
            await using var c = await db.OpenAsync(ct);
            await using var tx = await c.BeginTransactionAsync(ct);
            var row = await c.QuerySingleOrDefaultAsync<CaseRow>(
                $"SELECT {CaseColumns} FROM cases WHERE join_code = @joinCode", new { joinCode }, tx);
            if (row is null || !CaseStatus.Joinable.Contains(row.Status))
            {
                return new JoinResult.UnknownCode();
            }

            var parties = (await c.QueryAsync<PartyRow>($"SELECT {PartyColumns} FROM parties WHERE case_id = @id", new { id = row.Id }, tx)).ToList();
            if (parties.Any(p => p.Plate == vehicle.Plate))
            {
                return new JoinResult.AlreadyJoined();
            }

            if (parties.Count >= row.ExpectedParties)
            {
                return new JoinResult.Full(row.ExpectedParties);
            }

            try
            {
                var (party, token) = await InsertPartyAsync(c, tx, row.Id, parties.Count + 1, vehicle, now);
                if (parties.Count + 1 == row.ExpectedParties)
                {
                    // Everyone is here: the code has done its job and must not let anyone else in.
                    await c.ExecuteAsync("UPDATE cases SET join_code = NULL WHERE id = @id", new { id = row.Id }, tx);
                }

                await AddEventAsync(c, tx, row.Id, "joined", $"party:{party.Id}", null, now);
                await tx.CommitAsync(ct);
                return new JoinResult.Joined(row, party, token);
            }
            catch (Exception ex) when (Db.IsUniqueViolation(ex) && attempt < 5)
            {
                // Two parties joined at the same moment and took the same number: read again.
            }
        }
    }

    public async Task<PartyIdentity?> FindPartyByTokenAsync(string token, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<PartyRow>(
            $"SELECT {PartyColumns} FROM parties WHERE token_hash = @hash", new { hash = Secrets.HashToken(token) });
        return row is null ? null : new PartyIdentity(row.Id, row.CaseId);
    }

    public async Task<CaseDetails?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await LoadAsync(c, null, id);
    }

    public async Task<IReadOnlyList<QueueItem>> QueueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<QueueRow>("""
            SELECT k.id, k.case_number, k.reported_at, k.expected_parties, k.address,
                   (SELECT COUNT(*) FROM parties p WHERE p.case_id = k.id) AS parties_joined
            FROM cases k WHERE k.status = @status ORDER BY k.reported_at
            """, new { status = CaseStatus.Reported });
        return rows.Select(r => new QueueItem(
            r.Id, r.CaseNumber, r.ReportedAt, (int)Math.Max(0, (now - r.ReportedAt).TotalSeconds),
            r.PartiesJoined, r.ExpectedParties, r.Address)).ToList();
    }

    /// <summary>
    /// Position and expected wait of a waiting case, or null when it is not waiting. The wait is
    /// the position times the recent average time to answer, shared among the officers online.
    /// </summary>
    public async Task<QueuePositionView?> QueuePositionAsync(Guid caseId, int officersOnline, CancellationToken ct)
    {
        var queue = await QueueAsync(ct);
        var index = queue.ToList().FindIndex(q => q.CaseId == caseId);
        if (index < 0)
        {
            return null;
        }

        var average = await AverageAnswerSecondsAsync(ct);
        return Position(caseId, index + 1, average, officersOnline);
    }

    public static QueuePositionView Position(Guid caseId, int position, double averageAnswerSeconds, int officersOnline) =>
        new(caseId, position, (int)Math.Ceiling(position * averageAnswerSeconds / Math.Max(1, officersOnline)));

    /// <summary>Average seconds from report to answer over the last 50 answered cases; 60 s when there are none.</summary>
    public async Task<double> AverageAnswerSecondsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = (await c.QueryAsync<AnswerRow>("""
            SELECT reported_at, answered_at FROM cases WHERE answered_at IS NOT NULL ORDER BY answered_at DESC LIMIT 50
            """)).ToList();
        return rows.Count == 0 ? 60 : rows.Average(r => Math.Max(0, (r.AnsweredAt - r.ReportedAt).TotalSeconds));
    }

    /// <summary>A driver says its car is off the road. Kept once (the first time) with an event row.</summary>
    public async Task<CaseChange> ConfirmMovedAsync(Guid caseId, Guid partyId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var details = await LoadAsync(c, tx, caseId);
        if (details is null || details.Parties.All(p => p.Id != partyId))
        {
            return new CaseChange.NotFound();
        }

        if (details.Case.Status is not (CaseStatus.Answered or CaseStatus.VehiclesMoved))
        {
            return new CaseChange.WrongState(details.Case.Status, "Confirm moving the cars during the call, after the officer asked for it.");
        }

        await c.ExecuteAsync("UPDATE parties SET moved_confirmed_at = @now WHERE id = @partyId AND moved_confirmed_at IS NULL", new { now, partyId }, tx);
        await AddEventAsync(c, tx, caseId, "party_moved", $"party:{partyId}", null, now);
        await tx.CommitAsync(ct);
        return new CaseChange.Done(details);
    }

    /// <summary>Records something that happened in a case (an instruction, a confirmation) with who and when.</summary>
    public async Task RecordEventAsync(Guid caseId, string kind, string actor, string? detail, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await AddEventAsync(c, tx, caseId, kind, actor, detail, clock.GetUtcNow());
        await tx.CommitAsync(ct);
    }

    private sealed class AnswerRow
    {
        public DateTimeOffset ReportedAt { get; set; }

        public DateTimeOffset AnsweredAt { get; set; }
    }

    private sealed class QueueRow
    {
        public Guid Id { get; set; }

        public string CaseNumber { get; set; } = "";

        public DateTimeOffset ReportedAt { get; set; }

        public int ExpectedParties { get; set; }

        public string? Address { get; set; }

        public int PartiesJoined { get; set; }
    }

    /// <summary>An officer takes a waiting case. Atomic: of two officers at the same moment, one wins.</summary>
    public async Task<CaseChange> AcceptAsync(Guid caseId, Guid officerId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var changed = await c.ExecuteAsync("""
            UPDATE cases SET status = @answered, officer_id = @officerId, answered_at = @now
            WHERE id = @caseId AND status = @reported
            """, new { answered = CaseStatus.Answered, reported = CaseStatus.Reported, officerId, now, caseId }, tx);
        if (changed == 0)
        {
            var current = await LoadAsync(c, tx, caseId);
            return current is null
                ? new CaseChange.NotFound()
                : new CaseChange.WrongState(current.Case.Status, current.Case.OfficerId == officerId
                    ? "You have already accepted this case."
                    : "Only a case waiting in the queue (reported) can be accepted.");
        }

        await AddEventAsync(c, tx, caseId, "answered", $"officer:{officerId}", null, now);
        var details = await LoadAsync(c, tx, caseId);
        await tx.CommitAsync(ct);
        return new CaseChange.Done(details!);
    }

    public Task<CaseChange> RecordVehiclesMovedAsync(Guid caseId, Guid officerId, bool isSupervisor, CancellationToken ct) =>
        ChangeAsync(caseId, officerId, isSupervisor, [CaseStatus.Answered], "The cars can be recorded as moved only while the case is answered.", async (c, tx, details, now) =>
        {
            await c.ExecuteAsync(
                "UPDATE cases SET status = @moved, vehicles_moved_at = @now WHERE id = @caseId AND status = @answered",
                new { moved = CaseStatus.VehiclesMoved, answered = CaseStatus.Answered, now, caseId }, tx);
            await AddEventAsync(c, tx, caseId, "vehicles_moved", $"officer:{officerId}", null, now);
            return null;
        }, ct);

    public Task<CaseChange> RecordLiabilityAsync(Guid caseId, Guid officerId, bool isSupervisor, IReadOnlyList<(Guid PartyId, string Liability)> decisions, CancellationToken ct) =>
        ChangeAsync(caseId, officerId, isSupervisor, [CaseStatus.Answered, CaseStatus.VehiclesMoved], "Liability can be recorded only while the case is being handled (answered or vehicles_moved).", async (c, tx, details, now) =>
        {
            foreach (var (partyId, _) in decisions)
            {
                if (details.Parties.All(p => p.Id != partyId))
                {
                    return new CaseChange.Invalid("parties", $"Party {partyId} is not a party of case {details.Case.CaseNumber}. Use the party ids from GET /api/cases/{caseId}.");
                }
            }

            foreach (var (partyId, liability) in decisions)
            {
                await c.ExecuteAsync("UPDATE parties SET liability = @liability WHERE id = @partyId AND case_id = @caseId",
                    new { liability, partyId, caseId }, tx);
            }

            await AddEventAsync(c, tx, caseId, "liability", $"officer:{officerId}",
                string.Join(",", decisions.Select(d => $"{d.PartyId}={d.Liability}")), now);
            return null;
        }, ct);

    /// <summary>Closes the case and, in the same transaction, puts one claim per insured party in the outbox.</summary>
    public async Task<CaseChange> CloseAsync(Guid caseId, Guid officerId, bool isSupervisor, CancellationToken ct)
    {
        var result = await CloseCoreAsync(caseId, officerId, isSupervisor, ct);
        if (result is CaseChange.Done)
        {
            outbox.NotifyDispatcher();
        }

        return result;
    }

    private Task<CaseChange> CloseCoreAsync(Guid caseId, Guid officerId, bool isSupervisor, CancellationToken ct) =>
        ChangeAsync(caseId, officerId, isSupervisor, [CaseStatus.VehiclesMoved], "A case can be closed only after the cars were moved (vehicles_moved).", async (c, tx, details, now) =>
        {
            if (details.Parties.Count < details.Case.ExpectedParties)
            {
                return new CaseChange.WrongState(details.Case.Status,
                    $"Only {details.Parties.Count} of {details.Case.ExpectedParties} parties have joined; the others join with code {details.Case.JoinCode}.");
            }

            var missing = details.Parties.Where(p => p.Liability is null).Select(p => p.PartyNumber).ToList();
            if (missing.Count > 0)
            {
                return new CaseChange.WrongState(details.Case.Status,
                    $"Liability is not yet recorded for party {string.Join(", ", missing)}. Record it with PUT /api/cases/{caseId}/liability.");
            }

            var changed = await c.ExecuteAsync(
                "UPDATE cases SET status = @closed, closed_at = @now, join_code = NULL WHERE id = @caseId AND status = @moved",
                new { closed = CaseStatus.Closed, moved = CaseStatus.VehiclesMoved, now, caseId }, tx);
            if (changed == 0)
            {
                return new CaseChange.WrongState(details.Case.Status, "The case changed while closing; reload it.");
            }

            details.Case.ClosedAt = now;
            await outbox.EnqueueAsync(c, tx, details, now, ct);
            await AddEventAsync(c, tx, caseId, "closed", $"officer:{officerId}", null, now);
            return null;
        }, ct);

    private delegate Task<CaseChange?> Change(DbConnection c, DbTransaction tx, CaseDetails details, DateTimeOffset now);

    /// <summary>
    /// Common shape of an officer's change: load in the transaction, check the state and that
    /// the caller handles this case, apply, reload. A refused change rolls back and changes nothing.
    /// </summary>
    private async Task<CaseChange> ChangeAsync(Guid caseId, Guid officerId, bool isSupervisor, string[] allowed, string reason, Change change, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var details = await LoadAsync(c, tx, caseId);
        if (details is null)
        {
            return new CaseChange.NotFound();
        }

        if (!allowed.Contains(details.Case.Status))
        {
            return new CaseChange.WrongState(details.Case.Status, reason);
        }

        if (details.Case.OfficerId != officerId && !isSupervisor)
        {
            return new CaseChange.NotYours(details.Case.OfficerId);
        }

        if (await change(c, tx, details, now) is { } refused)
        {
            return refused;
        }

        var updated = await LoadAsync(c, tx, caseId);
        await tx.CommitAsync(ct);
        return new CaseChange.Done(updated!);
    }

    private static async Task<CaseDetails?> LoadAsync(DbConnection c, DbTransaction? tx, Guid id)
    {
        var row = await c.QuerySingleOrDefaultAsync<CaseRow>($"SELECT {CaseColumns} FROM cases WHERE id = @id", new { id }, tx);
        if (row is null)
        {
            return null;
        }

        var parties = await c.QueryAsync<PartyRow>(
            $"SELECT {PartyColumns} FROM parties WHERE case_id = @id ORDER BY party_number", new { id }, tx);
        return new CaseDetails(row, parties.ToList());
    }

    private static async Task<(PartyRow Party, string Token)> InsertPartyAsync(DbConnection c, DbTransaction tx, Guid caseId, int number, VehicleData v, DateTimeOffset now)
    {
        var token = Secrets.NewToken(Secrets.PartyTokenPrefix);
        var party = new PartyRow
        {
            Id = Guid.NewGuid(),
            CaseId = caseId,
            PartyNumber = number,
            Phone = v.Phone,
            Plate = v.Plate,
            VehicleType = v.VehicleType,
            InsurerCode = v.InsurerCode,
            PolicyNumber = v.PolicyNumber,
            JoinedAt = now,
        };
        await c.ExecuteAsync($"""
            INSERT INTO parties ({PartyColumns}, token_hash)
            VALUES (@Id, @CaseId, @PartyNumber, @Phone, @Plate, @VehicleType, @InsurerCode, @PolicyNumber, @Liability, @JoinedAt, @TokenHash)
            """,
            new { party.Id, party.CaseId, party.PartyNumber, party.Phone, party.Plate, party.VehicleType, party.InsurerCode, party.PolicyNumber, party.Liability, party.JoinedAt, TokenHash = Secrets.HashToken(token) },
            tx);
        return (party, token);
    }

    /// <summary>The case's timeline row and its entry in the hash-chained audit log, in the caller's transaction.</summary>
    private async Task AddEventAsync(DbConnection c, DbTransaction tx, Guid caseId, string kind, string actor, string? detail, DateTimeOffset at)
    {
        await c.ExecuteAsync(
            "INSERT INTO case_events (id, case_id, kind, actor, at, detail) VALUES (@id, @caseId, @kind, @actor, @at, @detail)",
            new { id = Guid.NewGuid(), caseId, kind, actor, at, detail }, tx);
        await AuditLog.AppendAsync(c, tx, db.Provider, new AuditEntry(actor, kind, caseId, detail), at);
    }

    private static string NewCaseNumber(DateTimeOffset now)
    {
        // Beijing date, since that is the date people read on the document; then 4 random characters.
        var local = now.ToOffset(TimeSpan.FromHours(8));
        return $"AR{local:yyMMdd}-{RandomNumberGenerator.GetString("23456789ABCDEFGHJKLMNPQRSTUVWXYZ", 4)}";
    }

    private static string NewJoinCode() => RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
}
