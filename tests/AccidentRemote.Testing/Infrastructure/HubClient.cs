using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace AccidentRemote.Tests.Infrastructure;

/// <summary>A real SignalR client over WebSockets to the Kestrel port, recording every event it receives.</summary>
public sealed class HubClient : IAsyncDisposable
{
    private static readonly string[] Events = ["Signal", "PeerChanged", "QueueChanged", "QueuePosition", "CaseChanged", "Instruction", "PartyMoved", "EvidenceAdded", "ClaimAcknowledged", "Phrase", "PartyProgress", "CallNotice"];
    private readonly ConcurrentQueue<(string Event, JsonElement Payload)> received = new();

    private HubClient(HubConnection connection)
    {
        Connection = connection;
        foreach (var name in Events)
        {
            connection.On<JsonElement>(name, payload => received.Enqueue((name, payload)));
        }
    }

    public HubConnection Connection { get; }

    public static async Task<HubClient> ConnectAsync(Uri baseAddress, string? token)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "/hubs/call"), o =>
            {
                o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                if (token is not null)
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                }
            })
            .Build();
        var client = new HubClient(connection);
        await connection.StartAsync();
        // Hub calls run only after OnConnectedAsync finished: once this returns, the groups are joined.
        await connection.InvokeAsync<long>("Ping");
        return client;
    }

    public IEnumerable<JsonElement> All(string name) => received.Where(r => r.Event == name).Select(r => r.Payload);

    public Task<JsonElement> WaitForAsync(string name, Func<JsonElement, bool>? match = null, TimeSpan? timeout = null) =>
        Eventually.Until(
            () => Task.FromResult(All(name).Where(p => match?.Invoke(p) ?? true).Select(p => (JsonElement?)p).LastOrDefault()),
            p => p is not null,
            $"hub event {name}",
            timeout).ContinueWith(t => t.Result!.Value, TaskScheduler.Default);

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
