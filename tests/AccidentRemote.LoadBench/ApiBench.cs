using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.LoadBench;

/// <summary>POST /api/cases (a driver's report) N times from K concurrent clients over Kestrel, on PostgreSQL.</summary>
internal static class ApiBench
{
    /// <summary>
    /// Every report at the same place and time is a duplicate candidate of every earlier one (the server
    /// compares it with each joinable case nearby); real reports are spread over the city, 1 km apart here.
    /// </summary>
    private static Dictionary<string, object?> Placed(Dictionary<string, object?> report, int i, bool samePlace)
    {
        if (!samePlace)
        {
            report["latitude"] = 39.60 + (i % 100 * 0.01);
            report["longitude"] = 116.00 + (i / 100 % 100 * 0.01);
        }

        return report;
    }

    public static async Task RunAsync(int reports, int clients, bool samePlace, CancellationToken ct)
    {
        await using var db = await PostgresDatabase.CreateAsync();
        using var app = BenchServers.PostgresOnly(BenchServers.Pooled(db));
        app.StartKestrel();
        var http = Enumerable.Range(0, clients).Select(_ => app.RealClient()).ToArray();

        // Warm-up (JIT, connection pools): not measured.
        const int warmup = 100;
        await Stats.ForAsync(warmup, clients, async (i, token) =>
            await http[i % clients].PostJsonAsync("/api/cases", Api.Report(Stats.Plate("粤B", i)), 201), ct);

        var latencies = new ConcurrentBag<double>();
        var errors = 0;
        var watch = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(http.Select(async client =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < reports)
            {
                var t = Stopwatch.GetTimestamp();
                using var response = await client.PostAsJsonAsync("/api/cases", Placed(Api.Report(Stats.Plate("京A", i)), i, samePlace), ct);
                latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                if ((int)response.StatusCode != 201)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        var elapsed = watch.Elapsed.TotalSeconds;
        Stats.Line($"api: {reports} reports, {clients} clients, {(samePlace ? "all at one place" : "places 1 km apart")}, {errors} not 201, {elapsed:F2} s = {reports / elapsed:F0} reports/s");
        Console.WriteLine(Stats.Summary("POST /api/cases", latencies));
        foreach (var c in http)
        {
            c.Dispose();
        }
    }
}
