using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using AccidentRemote.Server.Auth;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Browser;

/// <summary>
/// Background load on a server's hub: many driver/officer pairs, each a real case (reported and
/// accepted over HTTP) with its own two SignalR connections from this process, exchanging rounds of
/// signalling (officer: offer + candidate; driver: answer + candidate) until stopped. Every message
/// carries its pair and round, so a receiver sees a signal meant for someone else; every connection
/// is watched for drops and every invocation for errors. Nothing is relayed by Chromium.
/// </summary>
public sealed class SignallingLoad : IAsyncDisposable
{
    /// <summary>One round per pair at most this often: the load's rate (about 4 relayed messages per pair per period).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(750);

    private static readonly string Padding = new('x', 1500);
    private readonly List<Pair> pairs = [];
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentQueue<string> problems = new();
    private Task running = Task.CompletedTask;

    private SignallingLoad()
    {
    }

    public int Pairs => pairs.Count;

    /// <summary>Rounds every pair completed (both directions delivered), per pair.</summary>
    public int[] CompletedRounds() => pairs.Select(p => Volatile.Read(ref p.Completed)).ToArray();

    /// <summary>What went wrong so far: misdelivered signals, failed invocations, dropped connections.</summary>
    public IReadOnlyCollection<string> Problems => problems;

    /// <summary>Reports and accepts <paramref name="count"/> one-vehicle cases and connects both sides of each to the hub.</summary>
    public static async Task<SignallingLoad> ConnectAsync(TestApp app, Uri baseAddress, int count, CancellationToken ct)
    {
        var load = new SignallingLoad();
        var officers = app.Services.GetRequiredService<OfficerStore>();
        const string username = "load-officer";
        await officers.CreateOrResetAsync(username, "Load officer", Roles.Officer, Secrets.NewPassword(), ct);
        var officerId = (await officers.FindByUsernameAsync(username, ct))!.Id;
        using var http = app.RealClient();
        var (officerToken, _) = await officers.StartSessionAsync(officerId, TimeSpan.FromHours(1), ct);
        using var officerHttp = app.RealClient(officerToken);

        var slots = new Pair?[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token) =>
        {
            var report = await http.PostJsonAsync("/api/cases", Api.Report($"京L{10000 + i}", parties: 1), 201);
            var caseId = report.GetProperty("caseId").GetString()!;
            await officerHttp.PostJsonAsync($"/api/cases/{caseId}/accept", null);

            // Each pair's officer side on its own session of the load officer: its own connection and rate budget.
            var (session, _) = await officers.StartSessionAsync(officerId, TimeSpan.FromHours(1), token);
            var pair = new Pair(load, i, caseId, report.GetProperty("partyId").GetString()!);
            pair.Officer = await load.ConnectAsync(baseAddress, session, pair, pair.OnOfficerSignal, token);
            await pair.Officer.InvokeAsync<JsonElement>("WatchCase", caseId, token);
            pair.Party = await load.ConnectAsync(baseAddress, report.GetProperty("partyToken").GetString()!, pair, pair.OnPartySignal, token);
            await pair.Party.InvokeAsync<long>("Ping", token);
            slots[i] = pair;
        });
        load.pairs.AddRange(slots.Select(p => p!));
        return load;
    }

    private async Task<HubConnection> ConnectAsync(Uri baseAddress, string token, Pair pair, Action<JsonElement> onSignal, CancellationToken ct)
    {
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "/hubs/call"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        hub.On("Signal", onSignal);
        hub.Closed += e =>
        {
            if (!stop.IsCancellationRequested)
            {
                problems.Enqueue($"pair {pair.Index}: a hub connection closed ({e?.Message ?? "no error"})");
            }

            return Task.CompletedTask;
        };
        await hub.StartAsync(ct);
        return hub;
    }

    /// <summary>Starts the rounds on every pair, their start times spread over one period.</summary>
    public void Start() => running = Task.WhenAll(pairs.Select(p => p.RunAsync(stop.Token)));

    /// <summary>Stops starting rounds, lets the rounds in flight finish and checks every pair's counts.</summary>
    public async Task StopAndCheckAsync()
    {
        await stop.CancelAsync();
        await running;
        try
        {
            await Eventually.Until(() => Task.FromResult(pairs.Count(p => !p.Balanced)), n => n == 0, "every signal of the load delivered", TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            foreach (var p in pairs.Where(p => !p.Balanced))
            {
                problems.Enqueue(p.Describe());
            }
        }

        foreach (var p in pairs)
        {
            if (p.Officer?.State != HubConnectionState.Connected || p.Party?.State != HubConnectionState.Connected)
            {
                problems.Enqueue($"pair {p.Index}: a connection is {p.Officer?.State} / {p.Party?.State} at the end");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await running.ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var p in pairs)
        {
            if (p.Officer is not null)
            {
                await p.Officer.DisposeAsync();
            }

            if (p.Party is not null)
            {
                await p.Party.DisposeAsync();
            }
        }

        stop.Dispose();
    }

    private static object Offer(string caseId, string partyId, string marker) => new
    {
        caseId, toPartyId = partyId, type = "offer",
        description = new { type = "offer", sdp = $"v=0\r\na=x-load:{marker}\r\na=x-pad:{Padding}\r\n" },
        candidate = (object?)null,
    };

    private static object Answer(string caseId, string marker) => new
    {
        caseId, toPartyId = (string?)null, type = "answer",
        description = new { type = "answer", sdp = $"v=0\r\na=x-load:{marker}\r\na=x-pad:{Padding}\r\n" },
        candidate = (object?)null,
    };

    private static object Candidate(string caseId, string? toPartyId, string marker) => new
    {
        caseId, toPartyId, type = "candidate", description = (object?)null,
        candidate = new { candidate = $"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host x-load {marker}", sdpMid = "0", sdpMLineIndex = 0, usernameFragment = "load" },
    };

    /// <summary>The "p{pair}r{round}" marker of a received signal.</summary>
    private static string Marker(JsonElement signal)
    {
        var type = signal.GetProperty("type").GetString();
        var text = type == "candidate"
            ? signal.GetProperty("candidate").GetProperty("candidate").GetString() ?? ""
            : signal.GetProperty("description").GetProperty("sdp").GetString() ?? "";
        var at = text.IndexOf("x-load", StringComparison.Ordinal);
        if (at < 0)
        {
            return "";
        }

        var start = at + "x-load".Length + 1;
        var end = start;
        while (end < text.Length && text[end] is not ('\r' or '\n' or ' '))
        {
            end++;
        }

        return text[start..end];
    }

    private sealed class Pair(SignallingLoad load, int index, string caseId, string partyId)
    {
        public int Completed;
        private int sentToParty, receivedByParty, sentToOfficer, receivedByOfficer;
        private int round;
        private TaskCompletionSource roundDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int officerGotThisRound;

        public int Index { get; } = index;

        public HubConnection? Officer { get; set; }

        public HubConnection? Party { get; set; }

        public bool Balanced =>
            Volatile.Read(ref sentToParty) == Volatile.Read(ref receivedByParty) && Volatile.Read(ref sentToOfficer) == Volatile.Read(ref receivedByOfficer);

        public string Describe() =>
            $"pair {Index}: officer sent {sentToParty}, driver received {receivedByParty}; driver sent {sentToOfficer}, officer received {receivedByOfficer}";

        private string MarkerOf(int r) => string.Create(CultureInfo.InvariantCulture, $"p{Index}r{r}");

        public async Task RunAsync(CancellationToken ct)
        {
            try
            {
                await Task.Delay(Period * Index / load.Pairs, ct);
                using var timer = new PeriodicTimer(Period);
                do
                {
                    var r = Interlocked.Increment(ref round);
                    Volatile.Write(ref officerGotThisRound, 0);
                    roundDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    await SendAsync(Officer!, Offer(caseId, partyId, MarkerOf(r)), ref sentToParty);
                    await SendAsync(Officer!, Candidate(caseId, partyId, MarkerOf(r)), ref sentToParty);

                    // The round ends when the driver's answer and candidate came back; a lost one stalls this pair (and shows in the counts).
                    await roundDone.Task.WaitAsync(ct);
                    Interlocked.Increment(ref Completed);
                }
                while (await timer.WaitForNextTickAsync(ct));
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        private Task SendAsync(HubConnection hub, object signal, ref int counter)
        {
            Interlocked.Increment(ref counter);
            return SendCoreAsync(hub, signal);
        }

        private async Task SendCoreAsync(HubConnection hub, object signal)
        {
            try
            {
                await hub.InvokeAsync("Signal", signal);
            }
            catch (Exception e)
            {
                load.problems.Enqueue($"pair {Index}: Signal failed: {e.Message}");
            }
        }

        // Handlers run on the connection's receive loop: check and count there, send from elsewhere.
        public void OnPartySignal(JsonElement s)
        {
            var marker = Marker(s);
            if (s.GetProperty("caseId").GetString() != caseId || s.GetProperty("fromPartyId").ValueKind != JsonValueKind.Null
                || !marker.StartsWith($"p{Index}r", StringComparison.Ordinal))
            {
                load.problems.Enqueue($"pair {Index}: the driver got a signal that is not its own ({marker})");
                return;
            }

            Interlocked.Increment(ref receivedByParty);
            if (s.GetProperty("type").GetString() == "offer")
            {
                _ = Task.Run(async () =>
                {
                    await SendAsync(Party!, Answer(caseId, marker), ref sentToOfficer);
                    await SendAsync(Party!, Candidate(caseId, null, marker), ref sentToOfficer);
                });
            }
        }

        public void OnOfficerSignal(JsonElement s)
        {
            var marker = Marker(s);
            if (s.GetProperty("caseId").GetString() != caseId || s.GetProperty("fromPartyId").GetString() != partyId
                || marker != MarkerOf(Volatile.Read(ref round)))
            {
                load.problems.Enqueue($"pair {Index}: the officer got a signal that is not its own or not of this round ({marker})");
                return;
            }

            Interlocked.Increment(ref receivedByOfficer);
            if (Interlocked.Increment(ref officerGotThisRound) == 2)
            {
                roundDone.TrySetResult();
            }
        }
    }
}
