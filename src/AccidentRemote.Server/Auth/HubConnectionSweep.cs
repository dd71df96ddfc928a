using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Auth;

/// <summary>
/// A hub connection is authenticated once, when it opens, and then lives for hours. A sweep remembers
/// the connections it cares about with a key (a staff session, a party), and every
/// <see cref="AuthOptions.HubSessionCheckInterval"/> closes those whose key no longer holds: one query
/// per check for all of them, so a change made by a command or on another node counts too.
/// </summary>
public abstract class HubConnectionSweep<TKey>(IOptions<AuthOptions> options, ILogger logger) : BackgroundService, IHubFilter
    where TKey : notnull
{
    private readonly ConcurrentDictionary<string, (HubCallerContext Context, TKey Key)> connections = new(StringComparer.Ordinal);

    /// <summary>What the log calls the connections closed, e.g. "staff hub connection(s) whose session ended".</summary>
    protected abstract string Closing { get; }

    /// <summary>The key of a connection to watch, or false to leave it alone.</summary>
    protected abstract bool TryKey(HubCallerContext context, out TKey key);

    /// <summary>Which of these keys no longer hold; their connections are closed.</summary>
    protected abstract Task<Func<TKey, bool>> EndedAsync(IReadOnlyCollection<TKey> keys, CancellationToken ct);

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        if (TryKey(context.Context, out var key))
        {
            connections[context.Context.ConnectionId] = (context.Context, key);
        }

        await next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        connections.TryRemove(context.Context.ConnectionId, out _);
        await next(context, exception);
    }

    /// <summary>Closes every watched connection whose key no longer holds.</summary>
    public async Task CheckAsync(CancellationToken ct)
    {
        // Snapshot first, then read: each connection here was valid before the read, so one the read
        // says has ended really ended (a connection opened later is not in the snapshot).
        var snapshot = connections.ToArray();
        if (snapshot.Length == 0)
        {
            return;
        }

        var ended = await EndedAsync(snapshot.Select(c => c.Value.Key).Distinct().ToList(), ct);
        var closed = 0;
        foreach (var (id, (context, key)) in snapshot)
        {
            if (ended(key))
            {
                connections.TryRemove(id, out _);
                context.Abort();
                closed++;
            }
        }

        if (closed > 0)
        {
            logger.LogInformation("Closed {Count} {Closing}.", closed, Closing);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HubSessionCheckInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database may be briefly away; the next tick tries again.
                logger.LogWarning("Checking {Closing} failed: {Error}", Closing, ex.Message);
            }
        }
    }
}
