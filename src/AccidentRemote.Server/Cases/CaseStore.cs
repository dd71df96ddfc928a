using System.Data.Common;
using System.Security.Cryptography;
using AccidentRemote.Server.Audit;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Claims;
using AccidentRemote.Server.Data;
using Dapper;

namespace AccidentRemote.Server.Cases;

/// <summary>Cases and their parties. Every state change is one transaction with its event row.</summary>
public sealed partial class CaseStore(Db db, TimeProvider clock, ClaimOutbox outbox)
{
    private const string CaseColumns = """
        id, case_number, status, join_code, expected_parties, accident_time, latitude, longitude, address,
        anyone_injured, vehicles_drivable, hazardous_goods, escalation_reason, officer_id,
        reported_at, answered_at, vehicles_moved_at, closed_at, escalated_at, liability_scenario, facts, weather, mediation_result,
        join_selector, join_secret, join_failures, join_locked_at
        """;

    private const string PartyColumns = """
        id, case_id, party_number, phone, plate, vehicle_type, insurer_code, policy_number, liability, joined_at, other_plate, name, id_number, device_latitude, device_longitude,
        consent_version, consent_language, consented_at
        """;

    public sealed record NewReport(
        VehicleData Vehicle, DateTimeOffset AccidentTime, double? Latitude, double? Longitude, string? Address,
        int ExpectedParties, bool AnyoneInjured, bool VehiclesDrivable, bool HazardousGoods, string? EscalationReason);

    public sealed record Created(CaseRow Case, PartyRow Party, string PartyToken, bool MatchedExistingCase = false, PossibleDuplicate? Duplicate = null);

    /// <summary>Two reports of one accident belong to one case when made this close in time and place.</summary>
    public static readonly TimeSpan DuplicateWindow = TimeSpan.FromMinutes(30);

    public const double DuplicateDistanceMetres = 500;

    // Constants, not input: written into the SQL because list parameters differ between providers.
    private static readonly string JoinableList = string.Join(", ", CaseStatus.Joinable.Select(s => $"'{s}'"));

    public async Task<Created> ReportAsync(NewReport report, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var escalated = report.EscalationReason is not null;
        for (var attempt = 0; ; attempt++)
        {
            var join = escalated || report.ExpectedParties < 2 ? null : NewJoin();
            var row = new CaseRow
            {
                Id = Guid.NewGuid(),
                CaseNumber = NewCaseNumber(now),
                Status = escalated ? CaseStatus.Escalated : CaseStatus.Queued,
                JoinCode = join?.Code,
                JoinSelector = join?.Selector,
                JoinSecret = join?.Secret,
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
                            @ReportedAt, @AnsweredAt, @VehiclesMovedAt, @ClosedAt, @EscalatedAt, @LiabilityScenario, @Facts, NULL, NULL,
                            @JoinSelector, @JoinSecret, 0, NULL)
                    """, row, tx);
                var (party, token) = await InsertPartyAsync(c, tx, row.Id, 1, report.Vehicle, now);
                await AddEventAsync(c, tx, row.Id, "reported", $"party:{party.Id}", null, now);
                // Triage decided at once: the case goes to the officers' queue, or to an on-scene officer.
                await AddEventAsync(c, tx, row.Id, escalated ? "escalated" : "queued", "system", report.EscalationReason, now);
                // Never merged here: a report that fits an open case is linked to it as a possible duplicate.
                var duplicate = escalated ? null : await LinkPossibleDuplicateAsync(c, tx, row, party, report, now, ct);

                await tx.CommitAsync(ct);
                return new Created(row, party, token, Duplicate: duplicate);
            }
            catch (Exception ex) when (Db.IsUniqueViolation(ex) && attempt < 20)
            {
                // Case number or join code collided with an existing one: draw again.
            }
        }
    }

    /// <summary>
    /// Half the width and height, in degrees, of a box that contains every point within
    /// <paramref name="metres"/> of a place at <paramref name="latitude"/> (with 1% to spare; the
    /// exact distance is checked afterwards). A degree of longitude shrinks towards the poles.
    /// </summary>
    public static (double Latitude, double Longitude) BoundingBox(double latitude, double metres)
    {
        const double metresPerDegree = 6_371_000 * Math.PI / 180;
        var latDelta = metres * 1.01 / metresPerDegree;
        var cos = Math.Cos(Math.Min(89, Math.Abs(latitude)) * Math.PI / 180);
        return (latDelta, latDelta / cos);
    }

    /// <summary>Great-circle distance (haversine) in metres.</summary>
    public static double DistanceMetres(double lat1, double lng1, double lat2, double lng2)
    {
        const double r = 6_371_000;
        var dLat = (lat2 - lat1) * Math.PI / 180;
        var dLng = (lng2 - lng1) * Math.PI / 180;
        var a = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2)) +
                (Math.Cos(lat1 * Math.PI / 180) * Math.Cos(lat2 * Math.PI / 180) * Math.Sin(dLng / 2) * Math.Sin(dLng / 2));
        return 2 * r * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    public async Task<PartyIdentity?> FindPartyByTokenAsync(string token, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        // The end of a case: closed_at, escalated_at, or (abandoned) the time of that event.
        var row = await c.QuerySingleOrDefaultAsync<PartyTokenRow>("""
            SELECT p.id AS party_id, p.case_id, k.status AS case_status,
                   CASE WHEN k.status IN (@closed, @escalated, @abandoned)
                        THEN COALESCE(k.closed_at, k.escalated_at, (SELECT MAX(e.at) FROM case_events e WHERE e.case_id = k.id AND e.kind = @abandoned))
                   END AS case_ended_at
            FROM parties p JOIN cases k ON k.id = p.case_id
            WHERE p.token_hash = @hash
            """, new { hash = Secrets.HashToken(token), closed = CaseStatus.Closed, escalated = CaseStatus.Escalated, abandoned = CaseStatus.Abandoned });
        return row is null ? null : new PartyIdentity(row.PartyId, row.CaseId, row.CaseStatus, row.CaseEndedAt);
    }

    private sealed class PartyTokenRow
    {
        public Guid PartyId { get; set; }

        public Guid CaseId { get; set; }

        public string CaseStatus { get; set; } = "";

        public DateTimeOffset? CaseEndedAt { get; set; }
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
                   (SELECT COUNT(*) FROM parties p WHERE p.case_id = k.id AND p.rejected_at IS NULL) AS parties_joined
            FROM cases k WHERE k.status = @status ORDER BY k.reported_at
            """, new { status = CaseStatus.Queued });
        var duplicates = await PendingDuplicateNumbersAsync(c, CaseStatus.Queued);
        return rows.Select(r => new QueueItem(
            r.Id, r.CaseNumber, r.ReportedAt, (int)Math.Max(0, (now - r.ReportedAt).TotalSeconds),
            r.PartiesJoined, r.ExpectedParties, r.Address, duplicates.GetValueOrDefault(r.Id))).ToList();
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

        if (details.Case.Status is not (CaseStatus.InCall or CaseStatus.VehiclesMoved))
        {
            return new CaseChange.WrongState(details.Case.Status, "Confirm moving the cars during the call, after the officer asked for it.");
        }

        await c.ExecuteAsync("UPDATE parties SET moved_confirmed_at = @now WHERE id = @partyId AND moved_confirmed_at IS NULL", new { now, partyId }, tx);
        await AddEventAsync(c, tx, caseId, "party_moved", $"party:{partyId}", null, now);
        await tx.CommitAsync(ct);
        return new CaseChange.Done(details);
    }

    /// <summary>A party rates a closed case, once.</summary>
    public async Task<CaseChange> RateAsync(Guid caseId, Guid partyId, int rating, string? comment, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var details = await LoadAsync(c, tx, caseId);
        if (details is null)
        {
            return new CaseChange.NotFound();
        }

        if (details.Case.Status != CaseStatus.Closed)
        {
            return new CaseChange.WrongState(details.Case.Status, "A case can be rated once it is closed.");
        }

        var changed = await c.ExecuteAsync("""
            UPDATE parties SET satisfaction_rating = @rating, satisfaction_comment = @comment, rated_at = @now
            WHERE id = @partyId AND case_id = @caseId AND satisfaction_rating IS NULL
            """, new { rating, comment, now, partyId, caseId }, tx);
        if (changed == 0)
        {
            return new CaseChange.WrongState(details.Case.Status, "You have already rated this case. Thank you!");
        }

        await AddEventAsync(c, tx, caseId, "rated", $"party:{partyId}", rating.ToString(System.Globalization.CultureInfo.InvariantCulture), now);
        await tx.CommitAsync(ct);
        return new CaseChange.Done(details);
    }

    /// <summary>The fraud signals of a case as they stand now, for the officer.</summary>
    public async Task<IReadOnlyList<Fraud.FraudSignal>?> FraudSignalsAsync(Guid caseId, DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var details = await LoadAsync(c, null, caseId);
        return details is null ? null : await Fraud.FraudSignals.ComputeAsync(c, null, details, now);
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
        var accept = CaseStateMachine.For("accept");
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var changed = await c.ExecuteAsync("""
            UPDATE cases SET status = @to, officer_id = @officerId, answered_at = @now
            WHERE id = @caseId AND status = @from
            """, new { to = accept.To, from = accept.From[0], officerId, now, caseId }, tx);
        if (changed == 0)
        {
            var current = await LoadAsync(c, tx, caseId);
            return current is null
                ? new CaseChange.NotFound()
                : new CaseChange.WrongState(current.Case.Status, current.Case.OfficerId == officerId
                    ? "You have already accepted this case."
                    : current.Case.OfficerId is not null
                        ? "Another officer accepted this case a moment ago; take the next one in the queue."
                        : CaseStateMachine.Refusal("accept", current.Case.Status)!);
        }

        await AddEventAsync(c, tx, caseId, "accepted", $"officer:{officerId}", null, now);
        var details = await LoadAsync(c, tx, caseId);
        await tx.CommitAsync(ct);
        return new CaseChange.Done(details!);
    }

    public Task<CaseChange> RecordVehiclesMovedAsync(Guid caseId, Guid officerId, bool isSupervisor, CancellationToken ct) =>
        ChangeAsync(caseId, officerId, isSupervisor, "vehicles-moved", async (c, tx, details, now) =>
        {
            await c.ExecuteAsync("UPDATE cases SET vehicles_moved_at = @now WHERE id = @caseId", new { now, caseId }, tx);
            return null;
        }, ct);

    /// <summary>Records the officer's liability decision for every party at once, checked for consistency.</summary>
    public Task<CaseChange> RecordLiabilityAsync(Guid caseId, Guid officerId, bool isSupervisor, LiabilityDecision decision, CancellationToken ct) =>
        ChangeAsync(caseId, officerId, isSupervisor, "liability", async (c, tx, details, now) =>
        {
            if (LiabilityRules.Check(details, decision) is { } problem)
            {
                return new CaseChange.Invalid(problem.Field, problem.Message);
            }

            foreach (var (partyId, liability) in decision.Parties)
            {
                await c.ExecuteAsync("UPDATE parties SET liability = @liability WHERE id = @partyId AND case_id = @caseId",
                    new { liability, partyId, caseId }, tx);
            }

            await c.ExecuteAsync("UPDATE cases SET liability_scenario = @scenario, facts = @facts WHERE id = @caseId",
                new { scenario = decision.Scenario, facts = decision.Facts, caseId }, tx);
            return null;
        }, ct, detail: $"{decision.Scenario}: " + string.Join(",", decision.Parties.Select(p => $"{p.PartyId}={p.Liability}")));

    /// <summary>Sends the case to an on-scene officer: injuries found, a party disputes, fog or darkness.</summary>
    public Task<CaseChange> EscalateAsync(Guid caseId, Guid officerId, bool isSupervisor, string reason, string? note, CancellationToken ct) =>
        ChangeAsync(caseId, officerId, isSupervisor, "escalate", async (c, tx, details, now) =>
        {
            await c.ExecuteAsync($"UPDATE cases SET escalation_reason = @reason, escalated_at = @now, {ClearJoin} WHERE id = @caseId",
                new { reason, now, caseId }, tx);
            return null;
        }, ct, detail: note is null ? reason : $"{reason}: {note}", anyOfficerInQueue: true);

    /// <summary>The driver left or does not answer.</summary>
    public Task<CaseChange> AbandonAsync(Guid caseId, Guid officerId, bool isSupervisor, string reason, CancellationToken ct) =>
        ChangeAsync(caseId, officerId, isSupervisor, "abandon", async (c, tx, details, now) =>
        {
            await c.ExecuteAsync($"UPDATE cases SET {ClearJoin}, abandon_reason = @reason WHERE id = @caseId", new { caseId, reason }, tx);
            return null;
        }, ct, detail: reason, anyOfficerInQueue: true);

    /// <summary>
    /// Abandons, as <c>system</c>, the cases still queued (nobody answered) that were reported before <paramref name="cutoff"/>:
    /// through the state machine's <c>abandon</c>, one transaction per case, each with its event and audit entry.
    /// Returns the cases that moved (a case accepted at the same moment stays with its officer).
    /// </summary>
    public async Task<IReadOnlyList<CaseDetails>> ExpireUnansweredAsync(DateTimeOffset cutoff, string reason, int max, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var transition = CaseStateMachine.For("abandon");
        if (CaseStateMachine.Refusal("abandon", CaseStatus.Queued) is { } refusal)
        {
            throw new InvalidOperationException(refusal);
        }

        await using var c = await db.OpenAsync(ct);
        var due = (await c.QueryAsync<Guid>(
            "SELECT id FROM cases WHERE status = @queued AND officer_id IS NULL AND reported_at < @cutoff ORDER BY reported_at LIMIT @max",
            new { queued = CaseStatus.Queued, cutoff, max })).ToList();
        var expired = new List<CaseDetails>();
        foreach (var caseId in due)
        {
            await using var tx = await c.BeginTransactionAsync(ct);
            var moved = await c.ExecuteAsync($"""
                UPDATE cases SET status = @to, {ClearJoin}, abandon_reason = @reason
                WHERE id = @caseId AND status = @queued AND officer_id IS NULL
                """, new { to = transition.To, reason, caseId, queued = CaseStatus.Queued }, tx);
            if (moved == 1)
            {
                await AddEventAsync(c, tx, caseId, transition.To, "system", reason, now);
                var updated = await LoadAsync(c, tx, caseId);
                await tx.CommitAsync(ct);
                expired.Add(updated!);
            }
        }

        return expired;
    }

    /// <summary>An officer's transition with extra work of the caller's (issuing the document).</summary>
    public Task<CaseChange> OfficerTransitionAsync(Guid caseId, Guid officerId, bool isSupervisor, string action, Change change, string? detail, CancellationToken ct) =>
        ChangeAsync(caseId, officerId, isSupervisor, action, change, ct, detail);

    /// <summary>
    /// A party changes something of its own (its details for the document). While the parties
    /// are signing, that voids the signatures: the case goes back to liability_determined.
    /// </summary>
    public async Task<CaseChange> PartyChangeAsync(Guid caseId, Guid partyId, Change change, string kind, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var details = await LoadAsync(c, tx, caseId);
        if (details is null || details.Parties.All(p => p.Id != partyId))
        {
            return new CaseChange.NotFound();
        }

        if (await change(c, tx, details, now) is { } refused)
        {
            return refused;
        }

        await AddEventAsync(c, tx, caseId, kind, $"party:{partyId}", null, now);
        if (details.Case.Status == CaseStatus.AwaitingSignatures)
        {
            await c.ExecuteAsync("UPDATE cases SET status = @to WHERE id = @caseId AND status = @from",
                new { to = CaseStatus.LiabilityDetermined, from = CaseStatus.AwaitingSignatures, caseId }, tx);
            await AddEventAsync(c, tx, caseId, "signatures_voided", $"party:{partyId}", "details changed after the document was issued", now);
        }

        var updated = await LoadAsync(c, tx, caseId);
        await tx.CommitAsync(ct);
        return new CaseChange.Done(updated!);
    }

    /// <summary>Closes the case and, in the same transaction, puts one claim per insured party in the outbox.</summary>
    public async Task<CaseChange> CloseAsync(Guid caseId, Guid officerId, bool isSupervisor, CancellationToken ct)
    {
        var result = await ChangeAsync(caseId, officerId, isSupervisor, "close", async (c, tx, details, now) =>
        {
            var latest = await c.QuerySingleOrDefaultAsync<string>(
                "SELECT status FROM documents WHERE case_id = @caseId ORDER BY version DESC LIMIT 1", new { caseId }, tx);
            if (latest != "signed")
            {
                return new CaseChange.WrongState(details.Case.Status,
                    "Every party must sign the accident document before the case is closed; the signed document is made when the last party signs.");
            }

            if (details.Parties.Count < details.Case.ExpectedParties)
            {
                return new CaseChange.WrongState(details.Case.Status,
                    $"Only {details.Parties.Count} of {details.Case.ExpectedParties} parties have joined; the others join with code {details.Case.JoinCode}.");
            }

            await c.ExecuteAsync($"UPDATE cases SET closed_at = @now, {ClearJoin} WHERE id = @caseId", new { now, caseId }, tx);
            details.Case.ClosedAt = now;
            await outbox.EnqueueAsync(c, tx, details, now, ct);
            return null;
        }, ct);
        if (result is CaseChange.Done)
        {
            outbox.NotifyDispatcher();
        }

        return result;
    }

    /// <summary>The work of one transition, inside its transaction; return a refusal to roll back.</summary>
    public delegate Task<CaseChange?> Change(DbConnection c, DbTransaction tx, CaseDetails details, DateTimeOffset now);

    /// <summary>
    /// Common shape of an officer's change: load in the transaction, check the transition is
    /// allowed from the current state and that the caller handles this case, apply, move the
    /// state with a conditional update (so a concurrent change loses cleanly), write the event
    /// and audit entry, reload. A refused change rolls back and changes nothing.
    /// </summary>
    private async Task<CaseChange> ChangeAsync(
        Guid caseId, Guid officerId, bool isSupervisor, string action, Change change, CancellationToken ct,
        string? detail = null, bool anyOfficerInQueue = false)
    {
        var now = clock.GetUtcNow();
        var transition = CaseStateMachine.For(action);
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var details = await LoadAsync(c, tx, caseId);
        if (details is null)
        {
            return new CaseChange.NotFound();
        }

        if (CaseStateMachine.Refusal(action, details.Case.Status) is { } refusal)
        {
            return new CaseChange.WrongState(details.Case.Status, refusal);
        }

        // A waiting case has no officer yet: any officer may escalate or abandon it.
        var waiting = details.Case.OfficerId is null && anyOfficerInQueue;
        if (details.Case.OfficerId != officerId && !isSupervisor && !waiting)
        {
            return new CaseChange.NotYours(details.Case.OfficerId);
        }

        if (await change(c, tx, details, now) is { } refused)
        {
            return refused;
        }

        var moved = await c.ExecuteAsync("UPDATE cases SET status = @to WHERE id = @caseId AND status = @from",
            new { to = transition.To, from = details.Case.Status, caseId }, tx);
        if (moved == 0)
        {
            return new CaseChange.WrongState(details.Case.Status, "The case changed at the same moment; reload it and try again.");
        }

        await AddEventAsync(c, tx, caseId, transition.To, $"officer:{officerId}", detail, now);
        var updated = await LoadAsync(c, tx, caseId);
        await tx.CommitAsync(ct);
        return new CaseChange.Done(updated!);
    }

    private static async Task<CaseDetails?> LoadAsync(DbConnection c, DbTransaction? tx, Guid id)
    {
        var row = await c.QuerySingleOrDefaultAsync<CaseRow>($"SELECT {CaseColumns}, abandon_reason FROM cases WHERE id = @id", new { id }, tx);
        if (row is null)
        {
            return null;
        }

        var parties = await c.QueryAsync<PartyRow>(
            $"SELECT {PartyColumns} FROM parties WHERE case_id = @id AND rejected_at IS NULL ORDER BY party_number", new { id }, tx);
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
            OtherPlate = v.OtherPlate,
            JoinedAt = now,
            ConsentVersion = v.Consent?.NoticeVersion,
            ConsentLanguage = v.Consent?.Language,
            ConsentedAt = v.Consent?.At,
        };
        await c.ExecuteAsync($"""
            INSERT INTO parties ({PartyColumns}, token_hash)
            VALUES (@Id, @CaseId, @PartyNumber, @Phone, @Plate, @VehicleType, @InsurerCode, @PolicyNumber, @Liability, @JoinedAt, @OtherPlate, NULL, NULL, @DeviceLatitude, @DeviceLongitude,
                    @ConsentVersion, @ConsentLanguage, @ConsentedAt, @TokenHash)
            """,
            new
            {
                party.Id, party.CaseId, party.PartyNumber, party.Phone, party.Plate, party.VehicleType, party.InsurerCode, party.PolicyNumber,
                party.Liability, party.JoinedAt, party.OtherPlate, v.DeviceLatitude, v.DeviceLongitude, TokenHash = Secrets.HashToken(token),
                ConsentVersion = v.Consent?.NoticeVersion, ConsentLanguage = v.Consent?.Language, ConsentedAt = v.Consent?.At,
            },
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

}
