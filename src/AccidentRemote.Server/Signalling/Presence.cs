using System.Collections.Concurrent;
using AccidentRemote.Server.Cases;
using StackExchange.Redis;

namespace AccidentRemote.Server.Signalling;

/// <summary>
/// Which parties have a live hub connection, and how many officers are connected. A party may
/// have more than one connection for a moment (a reconnect overlapping the old one); it is online
/// while it has any. One node keeps this in memory; several nodes share it in Redis.
/// </summary>
public abstract class Presence : IOfficersOnline
{
    /// <summary>Returns true when this is the party's first connection (it just came online).</summary>
    public abstract Task<bool> PartyConnectedAsync(Guid partyId, string connectionId);

    /// <summary>Returns true when the party has no connection left (it went offline).</summary>
    public abstract Task<bool> PartyDisconnectedAsync(Guid partyId, string connectionId);

    public abstract Task<bool> IsOnlineAsync(Guid partyId);

    public abstract Task OfficerConnectedAsync(string connectionId);

    public abstract Task OfficerDisconnectedAsync(string connectionId);

    public abstract Task<int> OfficersOnlineAsync();

    /// <summary>
    /// Counts a live hub connection of one token holder (<c>party:{id}</c>, <c>session:{token hash}</c>) and returns how
    /// many it has now, this one included. A connection that is then refused must be removed again.
    /// </summary>
    public abstract Task<int> HolderConnectedAsync(string holder, string connectionId);

    public abstract Task HolderDisconnectedAsync(string holder, string connectionId);
}

/// <summary>Presence for a single node.</summary>
public sealed class LocalPresence : Presence
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, byte>> parties = new();
    private readonly ConcurrentDictionary<string, byte> officers = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> holders = new();

    public override Task<bool> PartyConnectedAsync(Guid partyId, string connectionId)
    {
        var set = parties.GetOrAdd(partyId, _ => new ConcurrentDictionary<string, byte>());
        lock (set)
        {
            set[connectionId] = 0;
            return Task.FromResult(set.Count == 1);
        }
    }

    public override Task<bool> PartyDisconnectedAsync(Guid partyId, string connectionId)
    {
        if (!parties.TryGetValue(partyId, out var set))
        {
            return Task.FromResult(false);
        }

        lock (set)
        {
            set.TryRemove(connectionId, out _);
            return Task.FromResult(set.IsEmpty);
        }
    }

    public override Task<bool> IsOnlineAsync(Guid partyId) => Task.FromResult(parties.TryGetValue(partyId, out var set) && !set.IsEmpty);

    public override Task OfficerConnectedAsync(string connectionId)
    {
        officers[connectionId] = 0;
        return Task.CompletedTask;
    }

    public override Task OfficerDisconnectedAsync(string connectionId)
    {
        officers.TryRemove(connectionId, out _);
        return Task.CompletedTask;
    }

    public override Task<int> OfficersOnlineAsync() => Task.FromResult(officers.Count);

    public override Task<int> HolderConnectedAsync(string holder, string connectionId)
    {
        var set = holders.GetOrAdd(holder, _ => new ConcurrentDictionary<string, byte>());
        lock (set)
        {
            set[connectionId] = 0;
            return Task.FromResult(set.Count);
        }
    }

    public override Task HolderDisconnectedAsync(string holder, string connectionId)
    {
        if (holders.TryGetValue(holder, out var set))
        {
            lock (set)
            {
                set.TryRemove(connectionId, out _);
            }
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Presence shared by several nodes in Redis: a hash per party of connection id → node id, and a
/// heartbeat key per node with a short expiry. Connections of a node that died (its heartbeat
/// expired) no longer count, so a crashed node does not keep parties "online". It uses the node's
/// one Redis connection, the SignalR backplane's (<see cref="RedisConnection"/>).
/// </summary>
public sealed class RedisPresence : Presence, IDisposable
{
    private static readonly TimeSpan HeartbeatTtl = TimeSpan.FromSeconds(30);
    private readonly RedisConnection redis;
    private readonly string node = Guid.NewGuid().ToString("N");
    private readonly Timer heartbeat;
    private readonly string prefix;
    private volatile bool beating;

    public RedisPresence(RedisConnection redis, string prefix)
    {
        this.redis = redis;
        this.prefix = prefix;
        heartbeat = new Timer(_ => _ = BeatAsync(), null, TimeSpan.Zero, HeartbeatTtl / 3);
    }

    public override async Task<bool> PartyConnectedAsync(Guid partyId, string connectionId)
    {
        var wasOnline = await IsOnlineAsync(partyId);
        await (await DatabaseAsync()).HashSetAsync(PartyKey(partyId), connectionId, node);
        return !wasOnline;
    }

    public override async Task<bool> PartyDisconnectedAsync(Guid partyId, string connectionId)
    {
        await (await DatabaseAsync()).HashDeleteAsync(PartyKey(partyId), connectionId);
        return !await IsOnlineAsync(partyId);
    }

    public override async Task<bool> IsOnlineAsync(Guid partyId) => await LiveCountAsync(PartyKey(partyId)) > 0;

    public override async Task OfficerConnectedAsync(string connectionId) =>
        await (await DatabaseAsync()).HashSetAsync(OfficersKey, connectionId, node);

    public override async Task OfficerDisconnectedAsync(string connectionId) =>
        await (await DatabaseAsync()).HashDeleteAsync(OfficersKey, connectionId);

    public override Task<int> OfficersOnlineAsync() => LiveCountAsync(OfficersKey);

    // Counted after adding, on every node alike: two connections racing for the last place may both be
    // refused, never both admitted. Connections of a dead node stop counting with its heartbeat.
    public override async Task<int> HolderConnectedAsync(string holder, string connectionId)
    {
        await (await DatabaseAsync()).HashSetAsync(HolderKey(holder), connectionId, node);
        return await LiveCountAsync(HolderKey(holder));
    }

    public override async Task HolderDisconnectedAsync(string holder, string connectionId) =>
        await (await DatabaseAsync()).HashDeleteAsync(HolderKey(holder), connectionId);

    public void Dispose() => heartbeat.Dispose();

    /// <summary>The database, once this node's heartbeat is in it (else its own connections would not count).</summary>
    private async Task<IDatabase> DatabaseAsync()
    {
        var db = (await redis.GetAsync()).GetDatabase();
        if (!beating)
        {
            await db.StringSetAsync(NodeKey(node), "1", HeartbeatTtl);
            beating = true;
        }

        return db;
    }

    private async Task<int> LiveCountAsync(RedisKey key)
    {
        var db = await DatabaseAsync();
        var entries = await db.HashGetAllAsync(key);
        var nodes = entries.Select(e => e.Value.ToString()).Distinct().ToList();
        var alive = await Task.WhenAll(nodes.Select(n => db.KeyExistsAsync(NodeKey(n))));
        var live = nodes.Where((_, i) => alive[i]).ToHashSet();
        return entries.Count(e => live.Contains(e.Value.ToString()));
    }

    private async Task BeatAsync()
    {
        try
        {
            await (await redis.GetAsync()).GetDatabase().StringSetAsync(NodeKey(node), "1", HeartbeatTtl);
            beating = true;
        }
        catch (RedisException)
        {
            // Redis is unreachable for now: the next beat tries again; until then this node's connections stop counting.
        }
    }

    private RedisKey OfficersKey => $"{prefix}:presence:officers";

    private RedisKey PartyKey(Guid partyId) => $"{prefix}:presence:party:{partyId:N}";

    private RedisKey HolderKey(string holder) => $"{prefix}:presence:holder:{holder}";

    private RedisKey NodeKey(string id) => $"{prefix}:presence:node:{id}";
}
