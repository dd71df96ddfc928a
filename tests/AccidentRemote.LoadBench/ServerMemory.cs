using System.Globalization;

namespace AccidentRemote.LoadBench;

/// <summary>
/// A server process's memory from outside: VmRSS from /proc/&lt;pid&gt;/status and, when the server
/// exposes it, the .NET runtime's own GC heap size after its last collection (the standard
/// <c>System.Runtime</c> meter on <c>/metrics</c>). Read after a settle period, so that the
/// connection bursts' garbage has had time to be collected.
/// </summary>
internal static class ServerMemory
{
    public readonly record struct Reading(long Rss, long? GcHeap);

    public static async Task<Reading> SettleAndReadAsync(int pid, Uri? metrics, int settleSeconds, CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromSeconds(settleSeconds), ct);
        long? heap = null;
        if (metrics is not null)
        {
            using var http = new HttpClient { BaseAddress = metrics, Timeout = TimeSpan.FromSeconds(10) };
            try
            {
                var text = await http.GetStringAsync("/metrics", ct);
                heap = Sum(text, "dotnet_gc_last_collection_heap_size_bytes");
            }
            catch (HttpRequestException)
            {
                // no metrics endpoint: RSS only
            }
        }

        return new Reading(ServerProcess.Rss(pid), heap);
    }

    /// <summary>Sum of a Prometheus metric's samples over its labels; null when absent.</summary>
    private static long? Sum(string exposition, string name)
    {
        double? total = null;
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is '{' or ' ')
            {
                var value = line[(line.LastIndexOf(' ') + 1)..];
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                {
                    total = (total ?? 0) + v;
                }
            }
        }

        return total is { } t ? (long)t : null;
    }

    public static void Report(string who, Reading before, Reading after, int connections)
    {
        Stats.Line($"{who} RSS: {before.Rss / 1048576.0:F1} MB before, {after.Rss / 1048576.0:F1} MB with {connections} idle connections = {(after.Rss - before.Rss) / (double)connections / 1024:F1} KB per connection");
        if (before.GcHeap is { } h0 && after.GcHeap is { } h1)
        {
            Stats.Line($"{who} GC heap after last collection: {h0 / 1048576.0:F1} MB before, {h1 / 1048576.0:F1} MB after = {(h1 - h0) / (double)connections / 1024:F1} KB per connection");
        }
    }
}
