using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace AccidentRemote.LoadBench;

/// <summary>
/// A bare SignalR client: one WebSocket speaking the JSON hub protocol (records ending in 0x1E,
/// handshake <c>{"protocol":"json","version":1}</c>, invocations type 1, completions type 3,
/// pings type 6). As light as the bench's PeerJS client (a ClientWebSocket and System.Text.Json),
/// so both servers face client processes that cost the same; the .NET HubConnection costs the
/// bench's process several times more CPU per message.
/// </summary>
internal sealed class HubSocket : IDisposable
{
    private const byte RecordSeparator = 0x1E;
    private static readonly byte[] Ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");
    private readonly ClientWebSocket socket = new();
    private readonly SemaphoreSlim sending = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> pending = new();
    private readonly Action<HubSocket, string, JsonElement> onEvent;
    private int nextId;
    private Task? receiving;

    private HubSocket(Action<HubSocket, string, JsonElement> onEvent) => this.onEvent = onEvent;

    /// <summary>Connects, completes the handshake and starts the receive loop; events go to onEvent(target, first argument) on that loop.</summary>
    public static async Task<HubSocket> ConnectAsync(Uri server, string token, Action<HubSocket, string, JsonElement> onEvent, CancellationToken ct)
    {
        var hub = new HubSocket(onEvent);
        var ws = new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws", Path = "/hubs/call", Query = "access_token=" + Uri.EscapeDataString(token) }.Uri;
        await hub.socket.ConnectAsync(ws, ct);
        await hub.SendRawAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), ct);
        var handshake = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.pending["handshake"] = handshake;
        hub.receiving = hub.ReceiveLoopAsync();
        var answer = await handshake.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        if (answer.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException("hub handshake refused: " + error.GetString());
        }

        return hub;
    }

    /// <summary>Invokes a hub method (with one argument, or none when null) and waits for its completion; a hub error becomes an exception.</summary>
    public async Task<JsonElement> InvokeAsync(string target, object? argument, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref nextId).ToString(CultureInfo.InvariantCulture);
        var done = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = done;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(new { type = 1, invocationId = id, target, arguments = argument is null ? [] : new[] { argument } });
        await SendRawAsync([.. bytes, RecordSeparator], ct);
        var completion = await done.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
        if (completion.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"{target} failed: {error.GetString()}");
        }

        return completion.TryGetProperty("result", out var result) ? result : default;
    }

    /// <summary>Keeps an idle connection open (the server drops a client silent for 30 s).</summary>
    public Task PingAsync(CancellationToken ct) => socket.State == WebSocketState.Open ? SendRawAsync(Ping, ct) : Task.CompletedTask;

    private async Task SendRawAsync(byte[] bytes, CancellationToken ct)
    {
        await sending.WaitAsync(ct);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, true, ct);
        }
        finally
        {
            sending.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[16 * 1024];
        var message = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var r = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer.AsSpan(0, r.Count));
                if (!r.EndOfMessage)
                {
                    continue;
                }

                var span = message.WrittenSpan;
                while (span.IndexOf(RecordSeparator) is var end and >= 0)
                {
                    Handle(span[..end]);
                    span = span[(end + 1)..];
                }

                message.ResetWrittenCount();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the bench ends by aborting the sockets
        }

        foreach (var p in pending.Values)
        {
            p.TrySetException(new InvalidOperationException("hub connection closed"));
        }
    }

    private void Handle(ReadOnlySpan<byte> record)
    {
        var reader = new Utf8JsonReader(record);
        using var doc = JsonDocument.ParseValue(ref reader);
        var root = doc.RootElement;
        if (!root.TryGetProperty("type", out var type))
        {
            // the handshake answer: {} or {"error": ...}
            if (pending.TryRemove("handshake", out var h))
            {
                h.TrySetResult(root.Clone());
            }

            return;
        }

        switch (type.GetInt32())
        {
            case 1:
                onEvent(this, root.GetProperty("target").GetString()!, root.GetProperty("arguments")[0]);
                break;
            case 3 when pending.TryRemove(root.GetProperty("invocationId").GetString()!, out var done):
                done.TrySetResult(root.Clone());
                break;
            case 7:
                foreach (var p in pending.Values)
                {
                    p.TrySetException(new InvalidOperationException("the server closed the hub connection"));
                }

                break;
        }
    }

    public void Dispose()
    {
        socket.Abort();
        socket.Dispose();
        sending.Dispose();
    }
}
