using AccidentRemote.Server.Data;
using AccidentRemote.Server.Kpis;
using AccidentRemote.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Kpis;

/// <summary>The supervisor board from a seeded day of cases equals figures worked out by hand.</summary>
public sealed class KpiBoardTests
{
    // Saturday 28 November 2026, noon in Beijing.
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.FromHours(8));
    private static readonly Guid Busy = Guid.NewGuid();

    [Fact]
    public async Task The_board_of_a_seeded_day_matches_hand_computed_figures()
    {
        var clock = new FixedClock(Now);
        using var app = TestApp.Embedded(services: s => s.AddSingleton<TimeProvider>(clock));
        var officer = await app.OfficerClientAsync("sup", "supervisor");
        var db = app.Services.GetRequiredService<Db>();
        await using (var c = await db.OpenAsync())
        {
            var officerId = await c.ExecuteScalarAsync<string>("SELECT id FROM officers WHERE username = 'sup'");
            // reported (local), seconds to answer, to move, to close, status
            await Seed(c, "08:00", 30, 200, 600, "closed", officerId, rating: 5);
            await Seed(c, "09:00", 50, 300, 1000, "closed", officerId, rating: 3);
            await Seed(c, "10:00", 90, 180, 800, "closed", officerId);
            await Seed(c, "10:30", 40, 250, null, "vehicles_moved", officerId);
            await Seed(c, "11:00", null, null, null, "escalated", null);
            await Seed(c, "11:30", null, null, null, "abandoned", null);
            await Seed(c, "11:50", null, null, null, "queued", null);
            await Seed(c, "10:00", 20, 100, 300, "closed", officerId, daysAgo: 1, rating: 1);
        }

        var board = await officer.GetJsonAsync("/api/kpis");

        void Stats(string name, int count, double median, double p90, double share)
        {
            var s = board.GetProperty(name);
            Assert.Equal(count, s.GetProperty("count").GetInt32());
            Assert.Equal(median, s.GetProperty("medianSeconds").GetDouble(), 3);
            Assert.Equal(p90, s.GetProperty("p90Seconds").GetDouble(), 3);
            Assert.Equal(share, s.GetProperty("shareWithinTarget").GetDouble(), 3);
        }

        // Answer: 30, 40, 50, 90 -> median 45, p90 (rank 4 of 4) 90, 3 of 4 within 60 s.
        Stats("answer", 4, 45, 90, 0.75);
        // Move: 180, 200, 250, 300 -> median 225, p90 300, 2 of 4 within 240 s.
        Stats("move", 4, 225, 300, 0.5);
        // Close: 600, 800, 1000 -> median 800, p90 (rank 3 of 3) 1000, 2 of 3 within 900 s.
        Stats("close", 3, 800, 1000, 2.0 / 3);

        Assert.Equal(7, board.GetProperty("casesReported").GetInt32());
        Assert.Equal(1, board.GetProperty("escalated").GetInt32());
        Assert.Equal(1, board.GetProperty("abandoned").GetInt32());
        Assert.Equal(1.0 / 6, board.GetProperty("abandonmentRate").GetDouble(), 3);
        Assert.Equal(1, board.GetProperty("queueLength").GetInt32());
        Assert.Equal(1, board.GetProperty("officersBusy").GetInt32());
        Assert.Equal(4.0, board.GetProperty("satisfactionAverage").GetDouble(), 3);
        Assert.Equal(2, board.GetProperty("satisfactionCount").GetInt32());

        var today = board.GetProperty("today").EnumerateArray().ToList();
        Assert.Equal(13, today.Count);
        Assert.Equal(1, today[8].GetProperty("reported").GetInt32());
        Assert.Equal(30, today[8].GetProperty("medianAnswerSeconds").GetDouble(), 3);
        Assert.Equal(2, today[10].GetProperty("reported").GetInt32());
        Assert.Equal(1, today[10].GetProperty("closed").GetInt32());
        Assert.Equal(65, today[10].GetProperty("medianAnswerSeconds").GetDouble(), 3);
        var week = board.GetProperty("week").EnumerateArray().ToList();
        Assert.Equal(7, week.Count);
        Assert.Equal(7, week[6].GetProperty("reported").GetInt32());
        Assert.Equal(1, week[5].GetProperty("reported").GetInt32());
    }

    [Fact]
    public void Percentiles_use_nearest_rank_and_an_even_median_averages_the_middle_pair()
    {
        var s = DurationStats.Of([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 60);
        Assert.Equal(55, s.MedianSeconds);
        Assert.Equal(90, s.P90Seconds);
        Assert.Equal(0.6, s.ShareWithinTarget);
        Assert.Null(DurationStats.Of([], 60).MedianSeconds);
    }

    [Fact]
    public async Task Closing_a_case_shows_in_the_prometheus_metrics()
    {
        using var app = TestApp.Embedded();
        var officer = await app.OfficerClientAsync();
        var (caseId, _) = await Api.CaseReadyToCloseAsync(app.CreateClient(), officer);
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);
        // Staff only (docs/security.md#the-edge-who-the-client-is-limits-sign-in-and-staff-sessions): the officer scrapes with its session.
        var text = await Eventually.Until(() => officer.GetStringAsync("/metrics"),
            t => t.Contains("accidentremote_case_time_to_close_seconds_count", StringComparison.Ordinal), "close histogram in /metrics");
        Assert.Contains("accidentremote_case_time_to_answer_seconds_bucket", text, StringComparison.Ordinal);
        Assert.Contains("accidentremote_cases_reported", text, StringComparison.Ordinal);
    }

    private static async Task Seed(System.Data.Common.DbConnection c, string local, int? answer, int? move, int? close, string status, string? officerId, int daysAgo = 0, int? rating = null)
    {
        var day = Now.AddDays(-daysAgo);
        var reported = new DateTimeOffset(day.Year, day.Month, day.Day, int.Parse(local[..2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(local[3..], System.Globalization.CultureInfo.InvariantCulture), 0, TimeSpan.FromHours(8));
        var id = Guid.NewGuid();
        await c.ExecuteAsync("""
            INSERT INTO cases (id, case_number, status, expected_parties, accident_time, anyone_injured, vehicles_drivable, hazardous_goods,
                               officer_id, reported_at, answered_at, vehicles_moved_at, closed_at)
            VALUES (@id, @number, @status, 1, @reported, 0, 1, 0, @officerId, @reported, @answered, @moved, @closed)
            """,
            new
            {
                id, number = "K" + id.ToString("N")[..8], status, officerId, reported,
                answered = answer is null ? (DateTimeOffset?)null : reported.AddSeconds(answer.Value),
                moved = move is null ? (DateTimeOffset?)null : reported.AddSeconds(move.Value),
                closed = close is null ? (DateTimeOffset?)null : reported.AddSeconds(close.Value),
            });
        await c.ExecuteAsync("""
            INSERT INTO parties (id, case_id, party_number, token_hash, phone, plate, vehicle_type, joined_at, satisfaction_rating, rated_at)
            VALUES (@pid, @id, 1, @hash, '13800000000', '京A00000', 'small-car', @reported, @rating, @ratedAt)
            """,
            new { pid = Guid.NewGuid(), id, hash = Guid.NewGuid().ToString("N"), reported, rating, ratedAt = rating is null ? (DateTimeOffset?)null : reported.AddSeconds(1200) });
    }
}
