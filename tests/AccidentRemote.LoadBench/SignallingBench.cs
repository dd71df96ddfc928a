using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace AccidentRemote.LoadBench;

/// <summary>
/// N driver/officer pairs on /hubs/call over WebSockets. Each call: the officer sends a 4 KB offer,
/// the driver answers, then 5 ICE candidates each way (12 messages). Every message carries
/// Stopwatch.GetTimestamp() of its send; the receiver computes the relay latency (one process, one clock).
/// </summary>
internal static class SignallingBench
{
    private const int CandidatesEachWay = 5;
    private const int MessagesPerCall = 2 + (2 * CandidatesEachWay);

    private sealed class Pair
    {
        public required string CaseId { get; init; }
        public required string PartyId { get; init; }
        public required string PartyToken { get; init; }
        public required int Officer { get; init; }
        public HubConnection? Party { get; set; }
        public int Received;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static readonly ConcurrentBag<double> Latencies = [];
    private static int failures;
    private static readonly string Padding = new('x', 4096);

    public static async Task RunAsync(int pairCount, int officerCount, int spreadMs, CancellationToken ct)
    {
        await using var db = await PostgresDatabase.CreateAsync();
        using var app = BenchServers.PostgresOnly(BenchServers.Pooled(db));
        var baseAddress = app.StartKestrel();
        using var anonymous = app.RealClient();
        Stats.Line($"signalling: {pairCount} pairs, {officerCount} officers, server {baseAddress}, start spread {spreadMs} ms");

        var officers = new List<(HttpClient Http, string Token)>();
        for (var o = 0; o < officerCount; o++)
        {
            officers.Add(await BenchServers.OfficerAsync(app, $"bench{o}"));
        }

        // 1. Cases over HTTP: report, the officer accepts.
        var pairs = new Pair[pairCount];
        await Stats.ForAsync(pairCount, 16, async (i, _) =>
        {
            var report = await anonymous.PostJsonAsync("/api/cases", Api.Report(Stats.Plate("京A", i)), 201);
            var caseId = report.GetProperty("caseId").GetString()!;
            await officers[i % officerCount].Http.PostJsonAsync($"/api/cases/{caseId}/accept", null);
            pairs[i] = new Pair
            {
                CaseId = caseId, PartyId = report.GetProperty("partyId").GetString()!, PartyToken = report.GetProperty("partyToken").GetString()!, Officer = i % officerCount,
            };
        }, ct);
        Stats.Line($"cases reported and accepted: {pairCount}");

        // 2. Memory before and after the idle connections (the clients live in this process too: an upper bound).
        var (heapBefore, wsBefore) = Memory();
        var officerHubs = new HubConnection[officerCount];
        var byCase = pairs.ToDictionary(p => p.CaseId);
        for (var o = 0; o < officerCount; o++)
        {
            var hub = Build(baseAddress, officers[o].Token);
            hub.On<JsonElement>("Signal", s => OfficerReceived(hub, byCase, s));
            await hub.StartAsync(ct);
            officerHubs[o] = hub;
        }

        await Stats.ForAsync(pairCount, 16, async (i, token) =>
        {
            var p = pairs[i];
            await officerHubs[p.Officer].InvokeAsync<JsonElement>("WatchCase", p.CaseId, token);
            var hub = Build(baseAddress, p.PartyToken);
            hub.On<JsonElement>("Signal", s => PartyReceived(hub, p, s));
            await hub.StartAsync(token);
            await hub.InvokeAsync<long>("Ping", token);
            p.Party = hub;
        }, ct);
        var (heapAfter, wsAfter) = Memory();
        var connections = pairCount + officerCount;
        Stats.Line($"idle connections: {connections} ({pairCount} drivers + {officerCount} officers)");
        Stats.Line($"managed heap per connection (server + client in one process): {(heapAfter - heapBefore) / (double)connections / 1024:F1} KB");
        Stats.Line($"working set per connection (server + client in one process): {(wsAfter - wsBefore) / (double)connections / 1024:F1} KB");
        Stats.Line($"managed heap per connection counted as 2 per pair (the brief's 2N): {(heapAfter - heapBefore) / (2.0 * pairCount) / 1024:F1} KB");

        // 3. The calls: every officer offers to every party, start times spread over spreadMs.
        var started = Stopwatch.GetTimestamp();
        var sends = pairs.Select(async (p, i) =>
        {
            await Task.Delay(spreadMs * i / pairCount, ct);
            var hub = officerHubs[p.Officer];
            await SendAsync(hub, Offer(p.CaseId, p.PartyId, "offer"));
            for (var c = 0; c < CandidatesEachWay; c++)
            {
                await SendAsync(hub, Candidate(p.CaseId, p.PartyId, c));
            }
        }).ToArray();
        await Task.WhenAll(sends);
        var all = Task.WhenAll(pairs.Select(p => p.Done.Task));
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(120), ct));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var complete = pairs.Count(p => p.Done.Task.IsCompleted);
        var messages = Latencies.Count;
        Stats.Line($"calls complete: {complete}/{pairCount}, failed sends: {failures}, messages relayed: {messages} in {elapsed.TotalSeconds:F2} s");
        Stats.Line($"throughput: {messages / elapsed.TotalSeconds:F0} messages/s (offer 4 KB, answer 4 KB, candidates ~100 B)");
        Console.WriteLine(Stats.Summary("relay latency", Latencies));

        foreach (var p in pairs)
        {
            if (p.Party is not null)
            {
                await p.Party.DisposeAsync();
            }
        }

        foreach (var h in officerHubs)
        {
            await h.DisposeAsync();
        }

        foreach (var o in officers)
        {
            o.Http.Dispose();
        }
    }

    private static (long Heap, long WorkingSet) Memory()
    {
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var self = Process.GetCurrentProcess();
        return (heap, self.WorkingSet64);
    }

    private static HubConnection Build(Uri baseAddress, string token) => new HubConnectionBuilder()
        .WithUrl(new Uri(baseAddress, "/hubs/call"), o =>
        {
            o.Transports = HttpTransportType.WebSockets;
            o.SkipNegotiation = true;
            o.AccessTokenProvider = () => Task.FromResult<string?>(token);
        })
        .Build();

    private static object Offer(string caseId, string? toPartyId, string type) => new
    {
        caseId, toPartyId, type,
        description = new { type, sdp = $"v=0\r\na=x-bench-ts:{Stopwatch.GetTimestamp()}\r\na=x-pad:{Padding}\r\n" },
        candidate = (object?)null,
    };

    private static object Candidate(string caseId, string? toPartyId, int n) => new
    {
        caseId, toPartyId, type = "candidate", description = (object?)null,
        candidate = new { candidate = $"candidate:{n} 1 udp 2122260223 127.0.0.1 {50000 + n} typ host ts {Stopwatch.GetTimestamp()}", sdpMid = "0", sdpMLineIndex = 0, usernameFragment = "bnch" },
    };

    private static Task SendAsync(HubConnection hub, object signal) =>
        hub.InvokeAsync("Signal", signal).ContinueWith(t =>
        {
            if (t.IsFaulted)
            {
                Interlocked.Increment(ref failures);
            }
        }, TaskScheduler.Default);

    private static string Record(JsonElement signal)
    {
        var type = signal.GetProperty("type").GetString()!;
        var text = type == "candidate"
            ? signal.GetProperty("candidate").GetProperty("candidate").GetString()!
            : signal.GetProperty("description").GetProperty("sdp").GetString()!;
        var marker = type == "candidate" ? " ts " : "a=x-bench-ts:";
        var start = text.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        var end = start;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        var sent = long.Parse(text.AsSpan(start, end - start), CultureInfo.InvariantCulture);
        Latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
        return type;
    }

    private static void Count(Pair p)
    {
        if (Interlocked.Increment(ref p.Received) == MessagesPerCall)
        {
            p.Done.TrySetResult();
        }
    }

    // Handlers run on the connection's receive loop: record, then send from elsewhere (never block the loop).
    private static void PartyReceived(HubConnection hub, Pair p, JsonElement signal)
    {
        var type = Record(signal);
        Count(p);
        if (type == "offer")
        {
            _ = Task.Run(async () =>
            {
                await SendAsync(hub, Offer(p.CaseId, null, "answer"));
                for (var c = 0; c < CandidatesEachWay; c++)
                {
                    await SendAsync(hub, Candidate(p.CaseId, null, c));
                }
            });
        }
    }

    private static void OfficerReceived(HubConnection hub, Dictionary<string, Pair> byCase, JsonElement signal)
    {
        Record(signal);
        if (byCase.TryGetValue(signal.GetProperty("caseId").GetString()!, out var p))
        {
            Count(p);
        }

        _ = hub;
    }
}
