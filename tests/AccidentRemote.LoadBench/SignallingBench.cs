using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.LoadBench;

/// <summary>
/// N driver/officer pairs on /hubs/call over WebSockets, against the server in its own process
/// (<see cref="ServerProcess"/>). Each call: the officer sends a 4 KB offer, the driver answers,
/// then 5 ICE candidates each way (12 messages). Every message carries Stopwatch.GetTimestamp()
/// of its send; the receiver (this process) computes the relay latency (one clock).
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
        public HubSocket? Party { get; set; }
        public int Received;
        public TaskCompletionSource Done { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static readonly ConcurrentBag<double> Latencies = [];
    private static int failures;
    private static readonly string Padding = new('x', 4096);

    public static async Task RunAsync(int pairCount, int officerCount, int spreadMs, int settleSeconds, int rounds, CancellationToken ct)
    {
        await using var db = await PostgresDatabase.CreateAsync();
        var postgres = BenchServers.Pooled(db);
        await using var server = await ServerProcess.StartAsync(postgres, ct);
        var baseAddress = server.BaseAddress;
        using var anonymous = new HttpClient { BaseAddress = baseAddress };
        Stats.Line($"signalling: {pairCount} pairs, {officerCount} officers, server pid {server.Pid} at {baseAddress} (own process), start spread {spreadMs} ms");

        var officers = new List<(HttpClient Http, string Token)>();
        foreach (var (username, password) in await ServerProcess.CreateOfficersAsync(postgres, "bench", officerCount))
        {
            officers.Add(await BenchServers.SignInAsync(baseAddress, username, password));
        }

        // 1. Cases over HTTP: report (places 1 km apart, as real reports are spread over the city), the officer accepts.
        var pairs = new Pair[pairCount];
        await Stats.ForAsync(pairCount, 16, async (i, _) =>
        {
            var report = await anonymous.PostJsonAsync("/api/cases", BenchServers.Placed(Api.Report(Stats.Plate("京A", i)), i), 201);
            var caseId = report.GetProperty("caseId").GetString()!;
            await officers[i % officerCount].Http.PostJsonAsync($"/api/cases/{caseId}/accept", null);
            pairs[i] = new Pair
            {
                CaseId = caseId, PartyId = report.GetProperty("partyId").GetString()!, PartyToken = report.GetProperty("partyToken").GetString()!, Officer = i % officerCount,
            };
        }, ct);
        Stats.Line($"cases reported and accepted: {pairCount}");

        // 2. The server process's memory before and after the idle connections, each after a settle period.
        var before = await ServerMemory.SettleAndReadAsync(server.Pid, baseAddress, settleSeconds, ct);
        var officerHubs = new HubSocket[officerCount];
        var byCase = pairs.ToDictionary(p => p.CaseId);
        for (var o = 0; o < officerCount; o++)
        {
            officerHubs[o] = await HubSocket.ConnectAsync(baseAddress, officers[o].Token, (_, target, s) => OfficerReceived(byCase, target, s), ct);
        }

        await Stats.ForAsync(pairCount, 16, async (i, token) =>
        {
            var p = pairs[i];
            await officerHubs[p.Officer].InvokeAsync("WatchCase", p.CaseId, token);
            var hub = await HubSocket.ConnectAsync(baseAddress, p.PartyToken, (h, target, s) => PartyReceived(h, p, target, s), token);
            await hub.InvokeAsync("Ping", null, token);
            p.Party = hub;
        }, ct);
        var all = officerHubs.Concat(pairs.Select(p => p.Party!)).ToList();
        using var keepAlive = new CancellationTokenSource();
        var pinging = KeepAliveAsync(all, keepAlive.Token);
        var connections = pairCount + officerCount;
        Stats.Line($"idle connections: {connections} ({pairCount} drivers + {officerCount} officers, each officer watching {pairCount / officerCount} cases)");
        var after = await ServerMemory.SettleAndReadAsync(server.Pid, baseAddress, settleSeconds, ct);
        ServerMemory.Report("server", before, after, connections);

        // 3. The calls: every officer offers to every party, start times spread over spreadMs. Round 1 meets a
        //    freshly started server (JIT, pools); later rounds renegotiate on the same connections (as an ICE restart does).
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var p in pairs)
            {
                p.Received = 0;
                p.Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            Latencies.Clear();
            failures = 0;
            Stats.Line($"round {round} of {rounds}{(round == 1 ? " (the server's first exchange: cold)" : "")}");
            await ExchangeAsync(server.Pid, pairs, officerHubs, spreadMs, ct);
        }

        await keepAlive.CancelAsync();
        await pinging;
        foreach (var h in all)
        {
            h.Dispose();
        }

        foreach (var o in officers)
        {
            o.Http.Dispose();
        }
    }

    private static async Task ExchangeAsync(int pid, Pair[] pairs, HubSocket[] officerHubs, int spreadMs, CancellationToken ct)
    {
        var pairCount = pairs.Length;
        var cpuBefore = ServerProcess.CpuSeconds(pid);
        var clientBefore = ServerProcess.CpuSeconds(Environment.ProcessId);
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
        var done = Task.WhenAll(pairs.Select(p => p.Done.Task));
        await Task.WhenAny(done, Task.Delay(TimeSpan.FromSeconds(120), ct));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var cpu = ServerProcess.CpuSeconds(pid) - cpuBefore;
        var client = ServerProcess.CpuSeconds(Environment.ProcessId) - clientBefore;
        var complete = pairs.Count(p => p.Done.Task.IsCompleted);
        var messages = Latencies.Count;
        Stats.Line($"calls complete: {complete}/{pairCount}, failed sends: {failures}, messages relayed: {messages} in {elapsed.TotalSeconds:F2} s");
        Stats.Line($"throughput: {messages / elapsed.TotalSeconds:F0} messages/s (offer 4 KB, answer 4 KB, candidates ~150 B)");
        Stats.Line($"server CPU during the exchange: {cpu:F2} s user+system = {cpu * 1000 / Math.Max(1, messages):F3} ms per relayed message ({cpu / elapsed.TotalSeconds * 100:F0}% of one core)");
        Stats.Line($"bench client CPU during the exchange: {client:F2} s = {client * 1000 / Math.Max(1, messages):F3} ms per relayed message ({client / elapsed.TotalSeconds * 100:F0}% of one core)");
        Console.WriteLine(Stats.Summary("relay latency", Latencies));
    }

    /// <summary>Every 10 s a ping on each connection: the server closes a connection silent for 30 s.</summary>
    internal static async Task KeepAliveAsync(IReadOnlyList<HubSocket> hubs, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), ct);
                foreach (var h in hubs)
                {
                    await h.PingAsync(ct);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the bench is over
        }
    }

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

    private static Task SendAsync(HubSocket hub, object signal) =>
        hub.InvokeAsync("Signal", signal, CancellationToken.None).ContinueWith(t =>
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
    private static void PartyReceived(HubSocket hub, Pair p, string target, JsonElement signal)
    {
        if (target != "Signal")
        {
            return;
        }

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

    private static void OfficerReceived(Dictionary<string, Pair> byCase, string target, JsonElement signal)
    {
        if (target != "Signal")
        {
            return;
        }

        Record(signal);
        if (byCase.TryGetValue(signal.GetProperty("caseId").GetString()!, out var p))
        {
            Count(p);
        }
    }
}
