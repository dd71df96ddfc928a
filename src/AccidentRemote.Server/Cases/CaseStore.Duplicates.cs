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

/// <summary>What a merge's <c>merged</c> record carries for the pages: the report absorbed and its party, now in the case.</summary>
public sealed record CaseMerge(Guid FromCaseId, Guid PartyId, int PartyNumber);

/// <summary>The outcome of a merge, refusal or keep-apart decision on a possible duplicate.</summary>
public abstract record DuplicateDecision
{
    public sealed record Merged(Guid CaseId, string CaseNumber, string Status, Guid FromCaseId, Guid PartyId, int PartyNumber) : DuplicateDecision;

    public sealed record KeptApart(Guid CaseId, string Status, Guid DuplicateCaseId) : DuplicateDecision;

    public sealed record NotFound : DuplicateDecision;

    public sealed record Forbidden(string Reason) : DuplicateDecision;

    public sealed record Refused(string Reason) : DuplicateDecision;
}

/// <summary>Possible duplicates: a report linked to an open case it may belong to, merged only with the named party's consent or an officer's decision.</summary>
public sealed partial class CaseStore
{
    internal static class LinkStatus
    {
        public const string Pending = "pending";
        public const string Merged = "merged";
        public const string Dismissed = "dismissed";
    }

    /// <summary>
    /// The other driver may report on their own instead of joining with the code. A report fits an
    /// open case when one side named the other's plate, the accident times are within 30 minutes,
    /// and both places are known and within 500 m. It is then linked to that case as a possible
    /// duplicate, never merged: a stranger who names a plate must get nothing of that case.
    /// </summary>
    internal static async Task<PossibleDuplicate?> LinkPossibleDuplicateAsync(CaseTransaction t, CaseRow own, PartyRow reporter, NewReport report)
    {
        var (c, tx, now) = (t.Connection, t.Transaction, t.Now);
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
            // The question to the existing case's party goes with its record (the pages are told after the commit).
            t.RecordOn(candidate.Id, "possible_duplicate", $"report {own.CaseNumber} may be of this accident", subject: link, by: CaseActor.System.Instance);
            t.Record("possible_duplicate", $"may be of the accident of case {candidate.CaseNumber}", by: CaseActor.System.Instance);
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

    internal sealed class LinkRow
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

    /// <summary>Decides whether the caller may decide on the link, with both cases in view: null when it may.</summary>
    internal delegate DuplicateDecision? Authorize(LinkRow link, CaseDetails existing, CaseDetails duplicate);

    /// <summary>The existing case of a possible duplicate (the case its transaction is begun on), or null.</summary>
    internal async Task<Guid?> LinkedCaseAsync(Guid linkId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<Guid?>("SELECT case_id FROM case_duplicates WHERE id = @linkId", new { linkId });
    }

    /// <summary>
    /// Merges the report into the existing case, or keeps them apart, in <paramref name="t"/>: the
    /// transaction of the existing case, which also records on the report (one database transaction
    /// for both). Returns the outcome; the caller commits only when it is <see cref="DuplicateDecision.Merged"/> or <see cref="DuplicateDecision.KeptApart"/>.
    /// </summary>
    internal static async Task<DuplicateDecision> DecideAsync(CaseTransaction t, Guid linkId, CaseActor actor, bool merge, Authorize authorize)
    {
        var (c, tx, now) = (t.Connection, t.Transaction, t.Now);
        var actorName = actor.Name;
        var link = await c.QuerySingleOrDefaultAsync<LinkRow>($"SELECT {LinkColumns} FROM case_duplicates WHERE id = @linkId", new { linkId }, tx);
        if (link is null || link.CaseId != t.CaseId)
        {
            return new DuplicateDecision.NotFound();
        }

        var existing = t.Details;
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
                new { status = LinkStatus.Dismissed, now, actor = actorName, linkId }, tx);
            t.Record("duplicate_dismissed", $"report {duplicate.Case.CaseNumber} kept apart", by: actor);
            t.RecordOn(duplicate.Case.Id, "duplicate_dismissed", $"kept apart from case {existing.Case.CaseNumber}", by: actor);
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
            new { status = LinkStatus.Merged, now, actor = actorName, linkId }, tx);
        await c.ExecuteAsync("UPDATE case_duplicates SET status = @status, decided_at = @now, decided_by = @actor WHERE duplicate_case_id = @id AND status = 'pending'",
            new { status = LinkStatus.Dismissed, now, actor = actorName, id = duplicate.Case.Id }, tx);
        // The merged report's page learns where it went from the "merged" record's subject, then that its own case is over.
        t.Record("merged", $"report {duplicate.Case.CaseNumber} merged: party:{reporter.Id}", subject: new CaseMerge(duplicate.Case.Id, reporter.Id, number), by: actor);
        t.RecordOn(duplicate.Case.Id, "merged_into", $"merged into case {existing.Case.CaseNumber}", by: actor);
        return new DuplicateDecision.Merged(existing.Case.Id, existing.Case.CaseNumber, existing.Case.Status, duplicate.Case.Id, reporter.Id, number);
    }
}
