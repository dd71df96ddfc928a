using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Auth;

/// <summary>
/// A hub connection is authenticated once, when it opens, and then lives for hours. So that an ended
/// session (password reset, account disabled, expiry, sign-out) also ends the staff member's open hub
/// connections, every staff connection is remembered with its session, and every
/// <see cref="AuthOptions.HubSessionCheckInterval"/> those whose session is no longer valid are closed.
/// One query per check for all of them; it also catches changes made by the commands (another process)
/// or on another node. The supervisor API checks at once as well.
/// </summary>
public sealed class StaffHubSessions(OfficerStore officers, IOptions<AuthOptions> options, ILogger<StaffHubSessions> logger)
    : BackgroundService, IHubFilter
{
    private readonly ConcurrentDictionary<string, (HubCallerContext Context, string TokenHash)> connections = new(StringComparer.Ordinal);

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        if (StaffTokenHash(context.Context) is { } hash)
        {
            connections[context.Context.ConnectionId] = (context.Context, hash);
        }

        await next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        connections.TryRemove(context.Context.ConnectionId, out _);
        await next(context, exception);
    }

    /// <summary>Closes every staff hub connection whose session has ended.</summary>
    public async Task CheckAsync(CancellationToken ct)
    {
        // Snapshot first, then read the sessions: each connection here had a valid session before the read,
        // so one missing from the read really ended (a session started later is not in the snapshot).
        var snapshot = connections.ToArray();
        if (snapshot.Length == 0)
        {
            return;
        }

        var valid = await officers.ValidSessionHashesAsync(ct);
        var closed = 0;
        foreach (var (id, (context, hash)) in snapshot)
        {
            if (!valid.Contains(hash))
            {
                connections.TryRemove(id, out _);
                context.Abort();
                closed++;
            }
        }

        if (closed > 0)
        {
            logger.LogInformation("Closed {Count} staff hub connection(s) whose session ended.", closed);
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
                logger.LogWarning("Checking staff hub sessions failed: {Error}", ex.Message);
            }
        }
    }

    private static string? StaffTokenHash(HubCallerContext context)
    {
        var user = context.User;
        if (user is null || !(user.IsInRole(Roles.Officer) || user.IsInRole(Roles.Supervisor) || user.IsInRole(Roles.Insurer)))
        {
            return null;
        }

        var request = context.GetHttpContext()?.Request;
        var header = request?.Headers.Authorization.ToString() ?? "";
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header["Bearer ".Length..].Trim()
            : request?.Query["access_token"].ToString();
        return token is not null && token.StartsWith(Secrets.OfficerTokenPrefix, StringComparison.Ordinal) ? Secrets.HashToken(token) : null;
    }
}
