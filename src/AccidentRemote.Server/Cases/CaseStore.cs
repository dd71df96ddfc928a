using System.Data.Common;
using System.Security.Cryptography;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Data;
using AccidentRemote.Server.Telemetry;
using Dapper;

namespace AccidentRemote.Server.Cases;

/// <summary>
/// Cases and their parties: the SQL of intake, reads and the queue. Every change, a report and a
/// duplicate decision too, runs in a <see cref="CaseTransaction"/> (<see cref="CaseIntake"/>, <see cref="CaseTransitions"/>).
/// </summary>
public sealed partial class CaseStore(Db db, TimeProvider clock)
{
    private const string CaseColumns = CaseReads.CaseColumns;

    private const string PartyColumns = CaseReads.PartyColumns;

    public sealed record NewReport(
        VehicleData Vehicle, DateTimeOffset AccidentTime, double? Latitude, double? Longitude, string? Address,
        int ExpectedParties, bool AnyoneInjured, bool VehiclesDrivable, bool HazardousGoods, string? EscalationReason);

    public sealed record Created(CaseRow Case, PartyRow Party, string PartyToken, bool MatchedExistingCase = false, PossibleDuplicate? Duplicate = null);

    /// <summary>Two reports of one accident belong to one case when made this close in time and place.</summary>
    public static readonly TimeSpan DuplicateWindow = TimeSpan.FromMinutes(30);

    public const double DuplicateDistanceMetres = 500;

    // Constants, not input: written into the SQL because list parameters differ between providers.
    private static readonly string JoinableList = string.Join(", ", CaseStatus.Joinable.Select(s => $"'{s}'"));

    /// <summary>
    /// Inserts a reported case and its first party, in the transaction <see cref="CaseIntake"/> opened
    /// for it (<see cref="CaseTransactions.BeginNewAsync"/>), at its time <paramref name="now"/>. A case
    /// number or join code that collides with an existing one throws a unique violation: draw again.
    /// </summary>
    internal static async Task<(CaseRow Case, PartyRow Party, string PartyToken)> InsertReportAsync(
        DbConnection c, DbTransaction tx, NewReport report, DateTimeOffset now)
    {
        var escalated = report.EscalationReason is not null;
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
            ReportTraceparent = Tracing.CurrentTraceparent(),
        };
        await c.ExecuteAsync($"""
            INSERT INTO cases ({CaseColumns})
            VALUES (@Id, @CaseNumber, @Status, @JoinCode, @ExpectedParties, @AccidentTime, @Latitude, @Longitude, @Address,
                    @AnyoneInjured, @VehiclesDrivable, @HazardousGoods, @EscalationReason, @OfficerId,
                    @ReportedAt, @AnsweredAt, @VehiclesMovedAt, @ClosedAt, @EscalatedAt, @LiabilityScenario, @Facts, NULL, NULL,
                    @JoinSelector, @JoinSecret, 0, NULL, @ReportTraceparent)
            """, row, tx);
        var (party, token) = await InsertPartyAsync(c, tx, row.Id, 1, report.Vehicle, now);
        return (row, party, token);
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

    private static Task<CaseDetails?> LoadAsync(DbConnection c, DbTransaction? tx, Guid id) => CaseReads.LoadAsync(c, tx, id);

    internal static async Task<(PartyRow Party, string Token)> InsertPartyAsync(DbConnection c, DbTransaction tx, Guid caseId, int number, VehicleData v, DateTimeOffset now)
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

    private static string NewCaseNumber(DateTimeOffset now)
    {
        // Beijing date, since that is the date people read on the document; then 4 random characters.
        var local = now.ToOffset(TimeSpan.FromHours(8));
        return $"AR{local:yyMMdd}-{RandomNumberGenerator.GetString("23456789ABCDEFGHJKLMNPQRSTUVWXYZ", 4)}";
    }

}
