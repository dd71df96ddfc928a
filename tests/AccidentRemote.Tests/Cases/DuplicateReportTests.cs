using AccidentRemote.Server.Cases;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Cases;

/// <summary>A second driver who reports separately is linked to the first driver's case as a possible duplicate when plate, time and place fit (merging: IntakeTests).</summary>
public sealed class DuplicateReportTests : IDisposable
{
    private readonly TestApp app = TestApp.Embedded();

    public void Dispose() => app.Dispose();

    private static Dictionary<string, object?> Report(string plate, string? otherPlate, double lat = 39.9087, double lng = 116.3975, int minutesAgo = 3)
    {
        var r = Api.Report(plate, "pingan");
        r["otherPlate"] = otherPlate;
        r["latitude"] = lat;
        r["longitude"] = lng;
        r["accidentTime"] = DateTimeOffset.UtcNow.AddMinutes(-minutesAgo);
        return r;
    }

    [Fact]
    public async Task A_separate_report_naming_the_first_drivers_plate_nearby_is_linked_as_a_possible_duplicate_not_merged()
    {
        var client = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var first = await client.PostJsonAsync("/api/cases", Report("京A12345", null), 201);
        // 200 m north, 10 minutes apart, naming the first car.
        var second = await client.PostJsonAsync("/api/cases", Report("京B67890", "京A12345", 39.9087 + 0.0018, minutesAgo: 13), 201);

        Assert.False(second.GetProperty("matchedExistingCase").GetBoolean());
        Assert.True(second.GetProperty("possibleDuplicate").GetBoolean());
        Assert.NotEqual(first.GetProperty("caseId").GetString(), second.GetProperty("caseId").GetString());
        Assert.Contains("确认", second.GetProperty("advice").GetString(), StringComparison.Ordinal);
        var queue = (await officer.GetJsonAsync("/api/queue")).EnumerateArray().ToList();
        Assert.Equal(2, queue.Count);
        Assert.Equal(first.GetProperty("caseNumber").GetString(), queue[1].GetProperty("possibleDuplicateOf")[0].GetString());
        Assert.Equal(second.GetProperty("caseNumber").GetString(), queue[0].GetProperty("possibleDuplicateOf")[0].GetString());
    }

    [Fact]
    public async Task The_first_driver_naming_the_second_plate_also_links()
    {
        var client = app.CreateClient();
        await client.PostJsonAsync("/api/cases", Report("京A12345", "京B67890"), 201);
        var second = await client.PostJsonAsync("/api/cases", Report("京B67890", null), 201);
        Assert.True(second.GetProperty("possibleDuplicate").GetBoolean());
    }

    [Theory]
    [InlineData("京C11111", 0.0, 13)] // names a plate that is not in the case
    [InlineData("京A12345", 0.0060, 13)] // about 670 m away
    [InlineData("京A12345", 0.0, 45)] // 42 minutes apart
    public async Task A_report_that_does_not_fit_in_plate_place_or_time_becomes_its_own_case(string otherPlate, double northDegrees, int minutesAgo)
    {
        var client = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var first = await client.PostJsonAsync("/api/cases", Report("京A12345", null), 201);
        var second = await client.PostJsonAsync("/api/cases", Report("京B67890", otherPlate, 39.9087 + northDegrees, minutesAgo: minutesAgo), 201);
        Assert.False(second.GetProperty("possibleDuplicate").GetBoolean());
        Assert.NotEqual(first.GetProperty("caseId").GetString(), second.GetProperty("caseId").GetString());
        Assert.Equal(2, (await officer.GetJsonAsync("/api/queue")).GetArrayLength());
    }

    [Fact]
    public async Task A_closed_case_is_not_reopened_by_a_late_report()
    {
        var client = app.CreateClient();
        var officer = await app.OfficerClientAsync();
        var (caseId, _) = await Api.CaseReadyToCloseAsync(client, officer, plate1: "京A12345", plate2: "沪AD12345");
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);
        var late = await client.PostJsonAsync("/api/cases", Report("京B67890", "京A12345"), 201);
        Assert.NotEqual(caseId, late.GetProperty("caseId").GetString());
        Assert.False(late.GetProperty("possibleDuplicate").GetBoolean());
    }

    [Theory]
    [InlineData(45.75, 400, true)] // Harbin: 400 m east is 0.0052 degrees of longitude, more than 500 m in latitude degrees
    [InlineData(45.75, 600, false)]
    [InlineData(18.25, 480, true)] // Sanya
    public async Task East_west_distance_is_judged_in_metres_at_every_latitude(double latitude, double metresEast, bool matched)
    {
        var client = app.CreateClient();
        var lngEast = metresEast / (6_371_000 * Math.PI / 180 * Math.Cos(latitude * Math.PI / 180));
        var first = await client.PostJsonAsync("/api/cases", Report("黑A12345", null, latitude, 126.63), 201);
        var second = await client.PostJsonAsync("/api/cases", Report("黑B67890", "黑A12345", latitude, 126.63 + lngEast), 201);
        Assert.Equal(matched, second.GetProperty("possibleDuplicate").GetBoolean());
        Assert.NotEqual(first.GetProperty("caseId").GetString(), second.GetProperty("caseId").GetString());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(39.9)]
    [InlineData(-53.1)]
    [InlineData(88.9)]
    public void The_search_box_holds_every_point_within_the_distance(double latitude)
    {
        var (dLat, dLng) = CaseStore.BoundingBox(latitude, CaseStore.DuplicateDistanceMetres);
        for (var bearing = 0; bearing < 360; bearing += 5)
        {
            // Walk 500 m along the bearing in small steps and check the point is inside the box.
            var (lat, lng) = (latitude, 116.0);
            for (var step = 0; step < 100; step++)
            {
                var b = bearing * Math.PI / 180;
                lat += 5 * Math.Cos(b) / (6_371_000 * Math.PI / 180);
                lng += 5 * Math.Sin(b) / (6_371_000 * Math.PI / 180 * Math.Cos(lat * Math.PI / 180));
            }

            Assert.True(CaseStore.DistanceMetres(latitude, 116.0, lat, lng) <= 501);
            Assert.InRange(lat, latitude - dLat, latitude + dLat);
            Assert.InRange(lng, 116.0 - dLng, 116.0 + dLng);
        }
    }

    [Fact]
    public void Distances_are_great_circle_metres() =>
        Assert.InRange(CaseStore.DistanceMetres(39.9087, 116.3975, 39.9087 + 0.0045, 116.3975), 495, 505);
}

/// <summary>The same linking on PostgreSQL, where the search runs on its indexes.</summary>
public sealed class DuplicateReportPostgresTests
{
    [Fact]
    public async Task A_separate_report_is_linked_on_PostgreSQL_and_a_stranger_nearby_is_not()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        using var app = TestApp.WithSettings(new() { ["Database:Provider"] = "Postgres", ["Database:ConnectionString"] = database.ConnectionString, ["Bus:Transport"] = "InMemory" });
        var client = app.CreateClient();
        await client.PostJsonAsync("/api/cases", Api.Report("京A12345"), 201);
        var stranger = Api.Report("京C22222");
        stranger["otherPlate"] = "京D33333";
        var other = await client.PostJsonAsync("/api/cases", stranger, 201);
        var second = Api.Report("京B67890");
        second["otherPlate"] = "京A12345";
        second["longitude"] = 116.3975 + 0.004; // about 340 m east
        var linked = await client.PostJsonAsync("/api/cases", second, 201);

        Assert.False(other.GetProperty("possibleDuplicate").GetBoolean());
        Assert.True(linked.GetProperty("possibleDuplicate").GetBoolean());
    }
}
