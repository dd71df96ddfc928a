using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Data;
using Dapper;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Signalling;

/// <summary>
/// A party the first driver turned away loses its token at once, but a hub connection it already had
/// would otherwise stay in the case's groups (pushes, instructions) until it dropped. Every party
/// connection is remembered with its party and closed once that party was turned away
/// (see <see cref="HubConnectionSweep{TKey}"/>), also when the rejection was made on another node.
/// </summary>
public sealed class PartyHubSessions(Db db, IOptions<AuthOptions> options, ILogger<PartyHubSessions> logger)
    : HubConnectionSweep<Guid>(options, logger)
{
    protected override string Closing => "hub connection(s) of parties that were turned away";

    protected override bool TryKey(HubCallerContext context, out Guid key)
    {
        key = context.User is { } user && user.IsParty() && user.PartyId() is { } partyId ? partyId : Guid.Empty;
        return key != Guid.Empty;
    }

    protected override async Task<Func<Guid, bool>> EndedAsync(IReadOnlyCollection<Guid> keys, CancellationToken ct)
    {
        var ids = keys.Select(k => k.ToString("D")).ToArray();
        var match = db.Dialect.InList("id", "ids");
        await using var c = await db.OpenAsync(ct);
        var rejected = (await c.QueryAsync<Guid>(new CommandDefinition(
            $"SELECT id FROM parties WHERE {match} AND rejected_at IS NOT NULL", new { ids }, cancellationToken: ct))).ToHashSet();
        return rejected.Contains;
    }
}
