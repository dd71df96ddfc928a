using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AccidentRemote.Server.Data;
using Dapper;

namespace AccidentRemote.Server.Cases;

/// <summary>A separate report linked to an open case it may belong to; <see cref="AskedPartyId"/> is asked to confirm.</summary>
public sealed record PossibleDuplicate(Guid LinkId, Guid ExistingCaseId, Guid AskedPartyId, string ReporterPlate, bool Mergeable);

/// <summary>What an officer sees of a possible duplicate: the link and the other report beside the case.</summary>
public sealed record DuplicateView(
    Guid LinkId, string Status, bool ThisCaseIsTheNewReport, Guid OtherCaseId, string OtherCaseNumber, string OtherStatus,
    DateTimeOffset OtherReportedAt, DateTimeOffset OtherAccidentTime, string? OtherAddress, int OtherExpectedParties,
    IReadOnlyList<string> OtherPlates, string ReporterPlate, bool Mergeable, string? WhyNotMergeable);

/// <summary>A question to a party of the existing case: "this plate says it was in your accident".</summary>
public sealed record DuplicateQuestion(Guid LinkId, string Plate, DateTimeOffset AskedAt);

/// <summary>Who is in the case, for the first party, who can turn a wrong joiner away.</summary>
public sealed record JoinedPartyView(Guid PartyId, int PartyNumber, string Plate, string Phone, DateTimeOffset JoinedAt);

/// <summary>The case's join code, link secret and joined parties, for its parties.</summary>
public sealed record JoinInfo(Guid CaseId, string? JoinCode, string? JoinSecret, bool Locked, int ExpectedParties, IReadOnlyList<JoinedPartyView> Parties);

/// <summary>The outcome of a merge, refusal or keep-apart decision on a possible duplicate.</summary>
public abstract record DuplicateDecision
{
    public sealed record Merged(Guid CaseId, string CaseNumber, string Status, Guid FromCaseId, Guid PartyId, int PartyNumber) : DuplicateDecision;

    public sealed record KeptApart(Guid CaseId, string Status, Guid DuplicateCaseId) : DuplicateDecision;

    public sealed record NotFound : DuplicateDecision;

    public sealed record Forbidden(string Reason) : DuplicateDecision;

    public sealed record Refused(string Reason) : DuplicateDecision;
}

public abstract record JoinResult
{
    public sealed record Joined(CaseRow Case, PartyRow Party, string PartyToken) : JoinResult;

    public sealed record UnknownCode : JoinResult;

    public sealed record Locked : JoinResult;

    public sealed record Full(int ExpectedParties) : JoinResult;

    public sealed record AlreadyJoined : JoinResult;
}

/// <summary>Getting into a case: join codes and secrets, turning a joiner away, and possible duplicates.</summary>
public sealed partial class CaseStore
{
    /// <summary>Every place that ends a case's join code ends its selector and link secret with it.</summary>
    private const string ClearJoin = CaseReads.ClearJoin;

    private static class LinkStatus
    {
        public const string Pending = "pending";
        public const string Merged = "merged";
        public const string Dismissed = "dismissed";
    }

    /// <summary>A new join code: 8 digits (the first 4 pick the case) and a 32-character link secret.</summary>
    internal sealed record NewJoinCode(string Code, string Selector, string Secret);

    internal static NewJoinCode NewJoin()
    {
        var selector = RandomNumberGenerator.GetInt32(0, 10_000).ToString("D4", CultureInfo.InvariantCulture);
        var check = RandomNumberGenerator.GetInt32(0, 10_000).ToString("D4", CultureInfo.InvariantCulture);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        return new NewJoinCode(selector + check, selector, secret);
    }

    /// <summary>
    /// The other driver may report on their own instead of joining with the code. A report fits an
    /// open case when one side named the other's plate, the accident times are within 30 minutes,
    /// and both places are known and within 500 m. It is then linked to that case as a possible
    /// duplicate, never merged: a stranger who names a plate must get nothing of that case.
    /// </summary>
    private async Task<PossibleDuplicate?> LinkPossibleDuplicateAsync(
        DbConnection c, DbTransaction tx, CaseRow own, PartyRow reporter, NewReport report, DateTimeOffset now, CancellationToken ct)
    {
        if (report.Latitude is not { } lat || report.Longitude is not { } lng || report.ExpectedParties < 2)
        {
            // A one-vehicle report says there was no other car: nothing to link.
            return null;
        }

        // The database narrows it down with indexes: one side named the other's plate
        // (ix_parties_plate, ix_parties_other_plate), an open case within the time window, inside
        // a box around the place. The exact great-circle distance is then checked here.
        var (latDelta, lngDelta) = BoundingBox(lat, DuplicateDistanceMetres);
        var candidates = await c.QueryAsync<CaseRow>($"""
            SELECT {CaseColumns} FROM cases
            WHERE id <> @self AND status IN ({JoinableList}) AND accident_time >= @from AND accident_time <= @to
              AND latitude BETWEEN @latMin AND @latMax AND longitude BETWEEN @lngMin AND @lngMax
              AND EXISTS (SELECT 1 FROM parties p
                          WHERE p.case_id = cases.id AND p.rejected_at IS NULL AND (p.plate = @otherPlate OR p.other_plate = @plate))
            ORDER BY reported_at
            """,
            new
            {
                self = own.Id,
                from = report.AccidentTime - DuplicateWindow,
                to = report.AccidentTime + DuplicateWindow,
                latMin = lat - latDelta,
                latMax = lat + latDelta,
                lngMin = lng - lngDelta,
                lngMax = lng + lngDelta,
                otherPlate = report.Vehicle.OtherPlate,
                plate = report.Vehicle.Plate,
            }, tx);
        foreach (var candidate in candidates)
        {
            if (DistanceMetres(lat, lng, candidate.Latitude!.Value, candidate.Longitude!.Value) > DuplicateDistanceMetres)
            {
                continue;
            }

            var parties = (await c.QueryAsync<PartyRow>(
                $"SELECT {PartyColumns} FROM parties WHERE case_id = @id AND rejected_at IS NULL ORDER BY party_number", new { id = candidate.Id }, tx)).ToList();
            var asked = parties.FirstOrDefault(p => p.Plate == report.Vehicle.OtherPlate) ?? parties.FirstOrDefault(p => p.OtherPlate == report.Vehicle.Plate);
            if (asked is null || parties.Any(p => p.Plate == report.Vehicle.Plate))
            {
                continue;
            }

            var link = new PossibleDuplicate(Guid.NewGuid(), candidate.Id, asked.Id, reporter.Plate,
                WhyNotMergeable(new CaseDetails(candidate, parties), own, 1) is null);
            await c.ExecuteAsync("""
                INSERT INTO case_duplicates (id, case_id, duplicate_case_id, asked_party_id, reporter_party_id, status, created_at)
                VALUES (@id, @caseId, @duplicateCaseId, @askedPartyId, @reporterPartyId, @status, @now)
                """, new { id = link.LinkId, caseId = candidate.Id, duplicateCaseId = own.Id, askedPartyId = asked.Id, reporterPartyId = reporter.Id, status = LinkStatus.Pending, now }, tx);
            await AddEventAsync(c, tx, candidate.Id, "possible_duplicate", "system", $"report {own.CaseNumber} may be of this accident", now);
            await AddEventAsync(c, tx, own.Id, "possible_duplicate", "system", $"may be of the accident of case {candidate.CaseNumber}", now);
            return link;
        }

        return null;
    }

    /// <summary>
    /// The vehicle-count rule: a separate report joins a case only if both reports declared the
    /// same number of vehicles, the case has room for one more, and the report is still a
    /// one-party case of its own. Null when the merge may go ahead.
    /// </summary>
    private static string? WhyNotMergeable(CaseDetails existing, CaseRow duplicate, int duplicateParties)
    {
        if (!CaseStatus.Joinable.Contains(existing.Case.Status))
        {
            return $"Case {existing.Case.CaseNumber} is {existing.Case.Status}; nobody can be added to it any more.";
        }

        if (!CaseStatus.Joinable.Contains(duplicate.Status))
        {
            return $"Report {duplicate.CaseNumber} is {duplicate.Status}.";
        }

        if (duplicate.ExpectedParties != existing.Case.ExpectedParties)
        {
            return $"The reports disagree on the number of vehicles ({existing.Case.ExpectedParties} and {duplicate.ExpectedParties}): handle them apart, or ask the drivers.";
        }

        if (existing.Parties.Count >= existing.Case.ExpectedParties)
        {
            return $"Case {existing.Case.CaseNumber} already has all its {existing.Case.ExpectedParties} vehicles.";
        }

        if (duplicateParties != 1)
        {
            return $"Report {duplicate.CaseNumber} has other parties already; handle the two cases apart.";
        }

        return null;
    }

    /// <summary>Case id to the case numbers it may be a duplicate of (pending links), for the queue.</summary>
    private static async Task<Dictionary<Guid, IReadOnlyList<string>>> PendingDuplicateNumbersAsync(DbConnection c, string status)
    {
        var rows = await c.QueryAsync<NumberRow>("""
            SELECT d.duplicate_case_id AS id, k.case_number AS other FROM case_duplicates d JOIN cases k ON k.id = d.case_id
            JOIN cases n ON n.id = d.duplicate_case_id
            WHERE d.status = 'pending' AND n.status = @status
            UNION ALL
            SELECT d.case_id AS id, n.case_number AS other FROM case_duplicates d JOIN cases n ON n.id = d.duplicate_case_id
            JOIN cases k ON k.id = d.case_id
            WHERE d.status = 'pending' AND k.status = @status
            """, new { status });
        return rows.GroupBy(r => r.Id).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(r => r.Other).Distinct().ToList());
    }

    private sealed class NumberRow
    {
        public Guid Id { get; set; }

        public string Other { get; set; } = "";
    }

    private sealed class QuestionRow
    {
        public Guid Id { get; set; }

        public string Plate { get; set; } = "";

        public DateTimeOffset At { get; set; }
    }

    private sealed class LinkRow
    {
        public Guid Id { get; set; }

        public Guid CaseId { get; set; }

        public Guid DuplicateCaseId { get; set; }

        public Guid AskedPartyId { get; set; }

        public Guid ReporterPartyId { get; set; }

        public string Status { get; set; } = "";

        public DateTimeOffset CreatedAt { get; set; }
    }

    private const string LinkColumns = "id, case_id, duplicate_case_id, asked_party_id, reporter_party_id, status, created_at";

    /// <summary>The pending questions to one party of a case: only the other report's plate, nothing else of it.</summary>
    public async Task<IReadOnlyList<DuplicateQuestion>> DuplicateQuestionsAsync(Guid caseId, Guid partyId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<QuestionRow>("""
            SELECT d.id, p.plate, d.created_at AS at FROM case_duplicates d JOIN parties p ON p.id = d.reporter_party_id
            WHERE d.case_id = @caseId AND d.asked_party_id = @partyId AND d.status = 'pending'
            ORDER BY d.created_at
            """, new { caseId, partyId });
        return rows.Select(r => new DuplicateQuestion(r.Id, r.Plate, r.At)).ToList();
    }

    /// <summary>The possible duplicates of a case, either side, with the other report beside it, for officers.</summary>
    public async Task<IReadOnlyList<DuplicateView>> DuplicatesAsync(Guid caseId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var links = await c.QueryAsync<LinkRow>($"""
            SELECT {LinkColumns} FROM case_duplicates WHERE case_id = @caseId OR duplicate_case_id = @caseId ORDER BY created_at
            """, new { caseId });
        var views = new List<DuplicateView>();
        foreach (var link in links)
        {
            var existing = (await LoadAsync(c, null, link.CaseId))!;
            var duplicate = (await LoadAsync(c, null, link.DuplicateCaseId))!;
            var other = link.CaseId == caseId ? duplicate : existing;
            var reporterPlate = await c.QuerySingleAsync<string>("SELECT plate FROM parties WHERE id = @id", new { id = link.ReporterPartyId });
            var why = link.Status == LinkStatus.Pending ? WhyNotMergeable(existing, duplicate.Case, duplicate.Parties.Count) : "decided";
            views.Add(new DuplicateView(
                link.Id, link.Status, link.DuplicateCaseId == caseId, other.Case.Id, other.Case.CaseNumber, other.Case.Status,
                other.Case.ReportedAt, other.Case.AccidentTime, other.Case.Address, other.Case.ExpectedParties,
                other.Parties.Select(p => p.Plate).ToList(), reporterPlate, why is null, link.Status == LinkStatus.Pending ? why : null));
        }

        return views;
    }

    /// <summary>The asked party of the existing case says yes (merge) or no (keep apart). No other token may answer.</summary>
    public Task<DuplicateDecision> AnswerDuplicateAsync(Guid caseId, Guid partyId, Guid linkId, bool confirm, CancellationToken ct) =>
        DecideAsync(linkId, $"party:{partyId}", confirm, (link, existing, duplicate) =>
            link.CaseId != caseId || link.AskedPartyId != partyId
                ? new DuplicateDecision.NotFound()
                : confirm && duplicate.Case.Status != CaseStatus.Queued
                    ? new DuplicateDecision.Refused($"Report {duplicate.Case.CaseNumber} is already with an officer, who decides.")
                    : null, ct);

    /// <summary>An officer merges the two reports or keeps them apart, with both in view.</summary>
    public Task<DuplicateDecision> OfficerDecideDuplicateAsync(Guid caseId, Guid linkId, Guid officerId, bool isSupervisor, bool merge, CancellationToken ct) =>
        DecideAsync(linkId, $"officer:{officerId}", merge, (link, existing, duplicate) =>
            link.CaseId != caseId && link.DuplicateCaseId != caseId
                ? new DuplicateDecision.NotFound()
                : !isSupervisor && new[] { existing.Case.OfficerId, duplicate.Case.OfficerId }.Any(o => o is not null && o != officerId)
                    ? new DuplicateDecision.Forbidden("Another officer handles one of the two cases; only they or a supervisor can decide.")
                    : null, ct);

    private delegate DuplicateDecision? Authorize(LinkRow link, CaseDetails existing, CaseDetails duplicate);

    private async Task<DuplicateDecision> DecideAsync(Guid linkId, string actor, bool merge, Authorize authorize, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var link = await c.QuerySingleOrDefaultAsync<LinkRow>($"SELECT {LinkColumns} FROM case_duplicates WHERE id = @linkId", new { linkId }, tx);
        if (link is null)
        {
            return new DuplicateDecision.NotFound();
        }

        var existing = (await LoadAsync(c, tx, link.CaseId))!;
        var duplicate = (await LoadAsync(c, tx, link.DuplicateCaseId))!;
        if (authorize(link, existing, duplicate) is { } refused)
        {
            return refused;
        }

        if (link.Status != LinkStatus.Pending)
        {
            return new DuplicateDecision.Refused($"This was decided already: the reports were {(link.Status == LinkStatus.Merged ? "merged" : "kept apart")}.");
        }

        if (!merge)
        {
            await c.ExecuteAsync("UPDATE case_duplicates SET status = @status, decided_at = @now, decided_by = @actor WHERE id = @linkId AND status = 'pending'",
                new { status = LinkStatus.Dismissed, now, actor, linkId }, tx);
            await AddEventAsync(c, tx, existing.Case.Id, "duplicate_dismissed", actor, $"report {duplicate.Case.CaseNumber} kept apart", now);
            await AddEventAsync(c, tx, duplicate.Case.Id, "duplicate_dismissed", actor, $"kept apart from case {existing.Case.CaseNumber}", now);
            await tx.CommitAsync(ct);
            return new DuplicateDecision.KeptApart(existing.Case.Id, existing.Case.Status, duplicate.Case.Id);
        }

        if (WhyNotMergeable(existing, duplicate.Case, duplicate.Parties.Count) is { } why)
        {
            return new DuplicateDecision.Refused(why);
        }

        var reporter = duplicate.Parties.Single();
        if (existing.Parties.Any(p => p.Plate == reporter.Plate))
        {
            return new DuplicateDecision.Refused("A vehicle with the same plate is already in the case.");
        }

        // The reporter's party moves into the existing case with its token: the same token now
        // opens the merged case, and the page follows it (Merged over the hub, GET /api/cases/mine).
        var number = await NextPartyNumberAsync(c, tx, existing.Case.Id);
        await c.ExecuteAsync("UPDATE parties SET case_id = @caseId, party_number = @number WHERE id = @id",
            new { caseId = existing.Case.Id, number, id = reporter.Id }, tx);
        if (existing.Parties.Count + 1 == existing.Case.ExpectedParties)
        {
            // Everyone is here, as after a join: the code must not let anyone else in.
            await c.ExecuteAsync($"UPDATE cases SET {ClearJoin} WHERE id = @id", new { id = existing.Case.Id }, tx);
        }

        var retired = await c.ExecuteAsync($"UPDATE cases SET status = @to, {ClearJoin} WHERE id = @id AND status = @from",
            new { to = CaseStatus.Abandoned, from = duplicate.Case.Status, id = duplicate.Case.Id }, tx);
        if (retired == 0)
        {
            return new DuplicateDecision.Refused("The report changed at the same moment; reload and try again.");
        }

        await c.ExecuteAsync("UPDATE case_duplicates SET status = @status, decided_at = @now, decided_by = @actor WHERE id = @linkId",
            new { status = LinkStatus.Merged, now, actor, linkId }, tx);
        await c.ExecuteAsync("UPDATE case_duplicates SET status = @status, decided_at = @now, decided_by = @actor WHERE duplicate_case_id = @id AND status = 'pending'",
            new { status = LinkStatus.Dismissed, now, actor, id = duplicate.Case.Id }, tx);
        await AddEventAsync(c, tx, existing.Case.Id, "merged", actor, $"report {duplicate.Case.CaseNumber} merged: party:{reporter.Id}", now);
        await AddEventAsync(c, tx, duplicate.Case.Id, "merged_into", actor, $"merged into case {existing.Case.CaseNumber}", now);
        await tx.CommitAsync(ct);
        return new DuplicateDecision.Merged(existing.Case.Id, existing.Case.CaseNumber, existing.Case.Status, duplicate.Case.Id, reporter.Id, number);
    }

    private static Task<int> NextPartyNumberAsync(DbConnection c, DbTransaction tx, Guid caseId) =>
        c.QuerySingleAsync<int>("SELECT COALESCE(MAX(party_number), 0) + 1 FROM parties WHERE case_id = @caseId", new { caseId }, tx);

    /// <summary>
    /// Joins with the link secret (from the QR or link), or with the typed 8-digit code. A wrong
    /// code whose first 4 digits name an open case counts against that case; after
    /// <paramref name="maxFailures"/> its typed code is locked (the link still works, and the
    /// first party can renew the code).
    /// </summary>
    public async Task<JoinResult> JoinAsync(string? joinCode, string? joinSecret, VehicleData vehicle, int maxFailures, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        for (var attempt = 0; ; attempt++)
        {
            await using var c = await db.OpenAsync(ct);
            await using var tx = await c.BeginTransactionAsync(ct);
            CaseRow? row;
            if (joinSecret is not null)
            {
                row = await c.QuerySingleOrDefaultAsync<CaseRow>($"SELECT {CaseColumns} FROM cases WHERE join_secret = @joinSecret", new { joinSecret }, tx);
            }
            else
            {
                row = await c.QuerySingleOrDefaultAsync<CaseRow>($"SELECT {CaseColumns} FROM cases WHERE join_selector = @selector", new { selector = joinCode![..4] }, tx);
                if (row is not null && row.JoinLockedAt is not null)
                {
                    return new JoinResult.Locked();
                }

                if (row is not null && !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(joinCode), Encoding.ASCII.GetBytes(row.JoinCode ?? "")))
                {
                    var failures = row.JoinFailures + 1;
                    await c.ExecuteAsync("""
                        UPDATE cases SET join_failures = join_failures + 1,
                                         join_locked_at = CASE WHEN join_failures + 1 >= @maxFailures THEN @now ELSE join_locked_at END
                        WHERE id = @id
                        """, new { id = row.Id, maxFailures, now }, tx);
                    if (failures >= maxFailures)
                    {
                        await AddEventAsync(c, tx, row.Id, "join_locked", "system", $"{failures} wrong join codes tried", now);
                    }

                    await tx.CommitAsync(ct);
                    return failures >= maxFailures ? new JoinResult.Locked() : new JoinResult.UnknownCode();
                }
            }

            if (row is null || !CaseStatus.Joinable.Contains(row.Status))
            {
                return new JoinResult.UnknownCode();
            }

            var parties = (await c.QueryAsync<PartyRow>($"SELECT {PartyColumns} FROM parties WHERE case_id = @id AND rejected_at IS NULL", new { id = row.Id }, tx)).ToList();
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
                var (party, token) = await InsertPartyAsync(c, tx, row.Id, await NextPartyNumberAsync(c, tx, row.Id), vehicle, now);
                if (parties.Count + 1 == row.ExpectedParties)
                {
                    // Everyone is here: the code has done its job and must not let anyone else in.
                    await c.ExecuteAsync($"UPDATE cases SET {ClearJoin} WHERE id = @id", new { id = row.Id }, tx);
                }

                await AddEventAsync(c, tx, row.Id, "joined", $"party:{party.Id}", joinSecret is null ? "typed code" : "link", now);
                await tx.CommitAsync(ct);
                return new JoinResult.Joined(row, party, token);
            }
            catch (Exception ex) when (Db.IsUniqueViolation(ex) && attempt < 5)
            {
                // Two parties joined at the same moment and took the same number: read again.
            }
        }
    }

    /// <summary>The join code, link secret and who joined, for a party of the case.</summary>
    public async Task<JoinInfo?> JoinInfoAsync(Guid caseId, Guid viewerPartyId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var details = await LoadAsync(c, null, caseId);
        if (details is null || details.Parties.All(p => p.Id != viewerPartyId))
        {
            return null;
        }

        var k = details.Case;
        return new JoinInfo(k.Id, k.JoinCode, k.JoinSecret, k.JoinLockedAt is not null, k.ExpectedParties,
            details.Parties.Select(p => new JoinedPartyView(p.Id, p.PartyNumber, p.Plate, p.Id == viewerPartyId ? p.Phone : CaseRules.MaskPhone(p.Phone), p.JoinedAt)).ToList());
    }

    /// <summary>
    /// The first party turns a joiner away: the joiner's token stops working, the join code and
    /// link secret are renewed (the old ones may have leaked), and an event is recorded.
    /// Possible only before the officer has decided liability.
    /// </summary>
    public async Task<CaseChange> RejectPartyAsync(Guid caseId, Guid byPartyId, Guid partyId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        for (var attempt = 0; ; attempt++)
        {
            await using var c = await db.OpenAsync(ct);
            await using var tx = await c.BeginTransactionAsync(ct);
            var details = await LoadAsync(c, tx, caseId);
            var by = details?.Parties.FirstOrDefault(p => p.Id == byPartyId);
            var target = details?.Parties.FirstOrDefault(p => p.Id == partyId);
            if (details is null || by is null || target is null)
            {
                return new CaseChange.NotFound();
            }

            if (by.PartyNumber != 1 || target.Id == by.Id)
            {
                return new CaseChange.NotYours(null);
            }

            if (!CaseStatus.Joinable.Contains(details.Case.Status))
            {
                return new CaseChange.WrongState(details.Case.Status, "A party can be turned away only before the officer has decided liability; tell the officer instead.");
            }

            var join = NewJoin();
            try
            {
                await c.ExecuteAsync("UPDATE parties SET rejected_at = @now, token_hash = @dead WHERE id = @partyId",
                    new { now, dead = $"rejected:{partyId}", partyId }, tx);
                await c.ExecuteAsync("""
                    UPDATE cases SET join_code = @Code, join_selector = @Selector, join_secret = @Secret, join_failures = 0, join_locked_at = NULL
                    WHERE id = @id
                    """, new { join.Code, join.Selector, join.Secret, id = caseId }, tx);
                await AddEventAsync(c, tx, caseId, "party_rejected", $"party:{byPartyId}", $"party:{partyId} {target.Plate} turned away; join code renewed", now);
                var updated = await LoadAsync(c, tx, caseId);
                await tx.CommitAsync(ct);
                return new CaseChange.Done(updated!);
            }
            catch (Exception ex) when (Db.IsUniqueViolation(ex) && attempt < 20)
            {
                // The new selector or secret is taken: draw again.
            }
        }
    }

    /// <summary>The first party renews the join code and link secret (after a lock, or when the old one leaked).</summary>
    public async Task<CaseChange> RenewJoinAsync(Guid caseId, Guid byPartyId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        for (var attempt = 0; ; attempt++)
        {
            await using var c = await db.OpenAsync(ct);
            await using var tx = await c.BeginTransactionAsync(ct);
            var details = await LoadAsync(c, tx, caseId);
            var by = details?.Parties.FirstOrDefault(p => p.Id == byPartyId);
            if (details is null || by is null)
            {
                return new CaseChange.NotFound();
            }

            if (by.PartyNumber != 1)
            {
                return new CaseChange.NotYours(null);
            }

            if (!CaseStatus.Joinable.Contains(details.Case.Status) || details.Parties.Count >= details.Case.ExpectedParties)
            {
                return new CaseChange.WrongState(details.Case.Status, "Everyone has joined, or the case is past joining: there is no code to renew.");
            }

            var join = NewJoin();
            try
            {
                await c.ExecuteAsync("""
                    UPDATE cases SET join_code = @Code, join_selector = @Selector, join_secret = @Secret, join_failures = 0, join_locked_at = NULL
                    WHERE id = @id
                    """, new { join.Code, join.Selector, join.Secret, id = caseId }, tx);
                await AddEventAsync(c, tx, caseId, "join_renewed", $"party:{byPartyId}", null, now);
                var updated = await LoadAsync(c, tx, caseId);
                await tx.CommitAsync(ct);
                return new CaseChange.Done(updated!);
            }
            catch (Exception ex) when (Db.IsUniqueViolation(ex) && attempt < 20)
            {
                // The new selector or secret is taken: draw again.
            }
        }
    }
}
