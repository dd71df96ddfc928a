using System.Globalization;

namespace AccidentRemote.LoadBench;

internal static class Stats
{
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1 < 0 ? 0 : (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];

    public static string Summary(string what, IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"{what}: n={sorted.Count} p50={Percentile(sorted, 50):F2} ms p90={Percentile(sorted, 90):F2} ms p99={Percentile(sorted, 99):F2} ms max={(sorted.Count == 0 ? double.NaN : sorted[^1]):F2} ms");
    }

    public static void Line(FormattableString text) => Console.WriteLine(text.ToString(CultureInfo.InvariantCulture));

    /// <summary>Runs body(i) for i in [0, count) with at most degree at once.</summary>
    public static Task ForAsync(int count, int degree, Func<int, CancellationToken, ValueTask> body, CancellationToken ct) =>
        Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = degree, CancellationToken = ct }, body);

    public static string Plate(string prefix, int i) => prefix + (10000 + (i % 90000)).ToString("D5", CultureInfo.InvariantCulture);
}
