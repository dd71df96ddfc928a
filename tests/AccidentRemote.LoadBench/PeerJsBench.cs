using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace AccidentRemote.LoadBench;

/// <summary>
/// The same exchange as <see cref="SignallingBench"/> through a PeerJS server (npm package `peer`)
/// over its WebSocket protocol: O officer peers and N driver peers; each call is an OFFER (4 KB SDP),
/// an ANSWER and 5 CANDIDATE messages each way, each stamped with its send time.
/// </summary>
internal static class PeerJsBench
{
    private const int CandidatesEachWay = 5;
    private const int MessagesPerCall = 2 + (2 * CandidatesEachWay);
    private static readonly string Padding = new('x', 4096);
    private static readonly ConcurrentBag<double> Latencies = [];

    private sealed class Peer(string id, ClientWebSocket socket) : IDisposable
    {
        private readonly SemaphoreSlim sending = new(1, 1);

        public string Id { get; } = id;

        public ClientWebSocket Socket { get; } = socket;

        public void Dispose()
        {
            Socket.Abort();
            Socket.Dispose();
            sending.Dispose();
        }

        public async Task SendAsync(object message, CancellationToken ct)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(message);
            await sending.WaitAsync(ct);
            try
            {
                await Socket.SendAsync(bytes, WebSocketMessageType.Text, true, ct);
            }
            finally
            {
                sending.Release();
            }
        }
    }

    private sealed class Call
    {
        public int Received;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public static async Task RunAsync(Uri server, int? pid, int pairCount, int officerCount, int spreadMs, int settleSeconds, int rounds, CancellationToken ct)
    {
        Stats.Line($"peerjs: {pairCount} pairs, {officerCount} officers, server {server} (node pid {pid}), start spread {spreadMs} ms");
        var before = pid is { } p0 ? await ServerMemory.SettleAndReadAsync(p0, null, settleSeconds, ct) : default;
        var calls = Enumerable.Range(0, pairCount).Select(_ => new Call()).ToArray();
        // Received() reads the current round's calls through this holder.
        var current = new StrongBox<Call[]>(calls);
        var officers = new Peer[officerCount];
        var drivers = new Peer[pairCount];
        var loops = new List<Task>();
        for (var o = 0; o < officerCount; o++)
        {
            officers[o] = await ConnectAsync(server, $"officer{o}", ct);
            var me = officers[o];
            loops.Add(ReceiveLoopAsync(me, m => Received(me, m, current.Value!), ct));
        }

        await Stats.ForAsync(pairCount, 16, async (i, token) =>
        {
            var d = await ConnectAsync(server, $"driver{i}", token);
            drivers[i] = d;
        }, ct);
        foreach (var d in drivers)
        {
            var me = d;
            loops.Add(ReceiveLoopAsync(me, m => Received(me, m, current.Value!), ct));
        }

        using var keepAlive = new CancellationTokenSource();
        var heartbeats = HeartbeatAsync(officers.Concat(drivers).ToList(), keepAlive.Token);
        if (pid is { } p1)
        {
            ServerMemory.Report("PeerJS (node)", before, await ServerMemory.SettleAndReadAsync(p1, null, settleSeconds, ct), pairCount + officerCount);
        }

        for (var round = 1; round <= rounds; round++)
        {
            current.Value = Enumerable.Range(0, pairCount).Select(_ => new Call()).ToArray();
            Latencies.Clear();
            Stats.Line($"round {round} of {rounds}{(round == 1 ? " (the server's first exchange: cold)" : "")}");
            await ExchangeAsync(pid, officers, current.Value, spreadMs, ct);
        }

        await keepAlive.CancelAsync();
        await heartbeats;
        foreach (var p in officers.Concat(drivers))
        {
            p.Dispose();
        }
    }

    private static async Task ExchangeAsync(int? pid, Peer[] officers, Call[] calls, int spreadMs, CancellationToken ct)
    {
        var pairCount = calls.Length;
        var officerCount = officers.Length;
        var cpuBefore = pid is { } p2 ? ServerProcess.CpuSeconds(p2) : 0;
        var clientBefore = ServerProcess.CpuSeconds(Environment.ProcessId);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, pairCount).Select(async i =>
        {
            await Task.Delay(spreadMs * i / pairCount, ct);
            var officer = officers[i % officerCount];
            await officer.SendAsync(Message("OFFER", $"driver{i}", i), ct);
            for (var c = 0; c < CandidatesEachWay; c++)
            {
                await officer.SendAsync(Message("CANDIDATE", $"driver{i}", i), ct);
            }
        }));
        await Task.WhenAny(Task.WhenAll(calls.Select(c => c.Done.Task)), Task.Delay(TimeSpan.FromSeconds(120), ct));
        var elapsed = Stopwatch.GetElapsedTime(started);
        Stats.Line($"calls complete: {calls.Count(c => c.Done.Task.IsCompleted)}/{pairCount}, messages relayed: {Latencies.Count} in {elapsed.TotalSeconds:F2} s");
        Stats.Line($"throughput: {Latencies.Count / elapsed.TotalSeconds:F0} messages/s");
        var client = ServerProcess.CpuSeconds(Environment.ProcessId) - clientBefore;
        Stats.Line($"bench client CPU during the exchange: {client:F2} s = {client * 1000 / Math.Max(1, Latencies.Count):F3} ms per relayed message ({client / elapsed.TotalSeconds * 100:F0}% of one core)");
        if (pid is { } p3)
        {
            var cpu = ServerProcess.CpuSeconds(p3) - cpuBefore;
            Stats.Line($"server CPU during the exchange: {cpu:F2} s user+system = {cpu * 1000 / Math.Max(1, Latencies.Count):F3} ms per relayed message ({cpu / elapsed.TotalSeconds * 100:F0}% of one core)");
        }

        Console.WriteLine(Stats.Summary("relay latency", Latencies));
    }

    /// <summary>PeerJS drops a peer silent for alive_timeout (60 s); its browser client sends HEARTBEAT every 5 s.</summary>
    private static async Task HeartbeatAsync(IReadOnlyList<Peer> peers, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), ct);
                foreach (var p in peers)
                {
                    await p.SendAsync(new { type = "HEARTBEAT" }, ct);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            // the bench is over
        }
    }

    private static object Message(string type, string dst, int call) => type switch
    {
        "CANDIDATE" => new { type, dst, payload = new { call, candidate = $"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host ts {Stopwatch.GetTimestamp()}", sdpMid = "0", sdpMLineIndex = 0 } },
        _ => new { type, dst, payload = new { call, sdp = new { type = type.ToLowerInvariant(), sdp = $"v=0\r\na=x-bench-ts:{Stopwatch.GetTimestamp()}\r\na=x-pad:{Padding}\r\n" } } },
    };

    private static async Task<Peer> ConnectAsync(Uri server, string id, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(server, $"/peerjs?key=peerjs&id={id}&token=t{id}"), ct);
        var peer = new Peer(id, socket);
        var open = await ReadAsync(socket, ct);
        if (open?.GetProperty("type").GetString() != "OPEN")
        {
            throw new InvalidOperationException($"PeerJS did not open {id}: {open}");
        }

        return peer;
    }

    private static async Task<JsonElement?> ReadAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var r = await socket.ReceiveAsync(buffer, ct);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, r.Count);
            if (r.EndOfMessage)
            {
                return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
            }
        }
    }

    private static async Task ReceiveLoopAsync(Peer peer, Action<JsonElement> handle, CancellationToken ct)
    {
        try
        {
            while (peer.Socket.State == WebSocketState.Open && await ReadAsync(peer.Socket, ct) is { } m)
            {
                handle(m);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the bench ends by aborting the sockets
        }
    }

    private static void Received(Peer me, JsonElement m, Call[] calls)
    {
        var type = m.GetProperty("type").GetString();
        if (type is not ("OFFER" or "ANSWER" or "CANDIDATE"))
        {
            return;
        }

        var payload = m.GetProperty("payload");
        var text = type == "CANDIDATE" ? payload.GetProperty("candidate").GetString()! : payload.GetProperty("sdp").GetProperty("sdp").GetString()!;
        var marker = type == "CANDIDATE" ? " ts " : "a=x-bench-ts:";
        var start = text.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        var end = start;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        Latencies.Add(Stopwatch.GetElapsedTime(long.Parse(text.AsSpan(start, end - start), CultureInfo.InvariantCulture)).TotalMilliseconds);
        var call = calls[payload.GetProperty("call").GetInt32()];
        if (Interlocked.Increment(ref call.Received) == MessagesPerCall)
        {
            call.Done.TrySetResult();
        }

        if (type == "OFFER")
        {
            var src = m.GetProperty("src").GetString()!;
            var i = payload.GetProperty("call").GetInt32();
            _ = Task.Run(async () =>
            {
                await me.SendAsync(Message("ANSWER", src, i), CancellationToken.None);
                for (var c = 0; c < CandidatesEachWay; c++)
                {
                    await me.SendAsync(Message("CANDIDATE", src, i), CancellationToken.None);
                }
            });
        }
    }
}
