using System.Collections.Concurrent;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Data;
using Dapper;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Signalling;

/// <summary>
/// A party's hub connection is authenticated once, when it opens. A party the first driver turned
/// away loses its token at once, but a connection it already had would otherwise stay in the case's
/// groups (pushes, instructions) until it dropped. Every party connection is remembered with its
/// party, and every <see cref="AuthOptions.HubSessionCheckInterval"/> those whose party was turned
/// away are closed: one query per check for all of them, so a rejection made on another node counts too.
/// The staff counterpart is <see cref="StaffHubSessions"/>.
/// </summary>
public sealed class PartyHubSessions(Db db, IOptions<AuthOptions> options, ILogger<PartyHubSessions> logger)
    : BackgroundService, IHubFilter
{
    private readonly ConcurrentDictionary<string, (HubCallerContext Context, Guid PartyId)> connections = new(StringComparer.Ordinal);

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        if (context.Context.User is { } user && user.IsParty() && user.PartyId() is { } partyId)
        {
            connections[context.Context.ConnectionId] = (context.Context, partyId);
        }

        await next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        connections.TryRemove(context.Context.ConnectionId, out _);
        await next(context, exception);
    }

    /// <summary>Closes every party hub connection whose party has been turned away.</summary>
    public async Task CheckAsync(CancellationToken ct)
    {
        var snapshot = connections.ToArray();
        if (snapshot.Length == 0)
        {
            return;
        }

        var ids = snapshot.Select(c => c.Value.PartyId.ToString("D")).Distinct().ToArray();
        // Dapper passes a list to Npgsql as one array parameter and expands it for SQLite.
        var match = db.Provider == DatabaseProvider.Postgres ? "id = ANY(@ids)" : "id IN @ids";
        await using var c = await db.OpenAsync(ct);
        var rejected = (await c.QueryAsync<Guid>(new CommandDefinition(
            $"SELECT id FROM parties WHERE {match} AND rejected_at IS NOT NULL", new { ids }, cancellationToken: ct))).ToHashSet();
        var closed = 0;
        foreach (var (id, (context, partyId)) in snapshot)
        {
            if (rejected.Contains(partyId))
            {
                connections.TryRemove(id, out _);
                context.Abort();
                closed++;
            }
        }

        if (closed > 0)
        {
            logger.LogInformation("Closed {Count} hub connection(s) of parties that were turned away.", closed);
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
                logger.LogWarning("Checking party hub connections failed: {Error}", ex.Message);
            }
        }
    }
}
