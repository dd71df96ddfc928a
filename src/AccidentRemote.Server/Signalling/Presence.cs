using System.Collections.Concurrent;
using StackExchange.Redis;

namespace AccidentRemote.Server.Signalling;

/// <summary>
/// Which parties have a live hub connection, and how many officers are connected. A party may
/// have more than one connection for a moment (a reconnect overlapping the old one); it is online
/// while it has any. One node keeps this in memory; several nodes share it in Redis.
/// </summary>
public abstract class Presence
{
    /// <summary>Returns true when this is the party's first connection (it just came online).</summary>
    public abstract bool PartyConnected(Guid partyId, string connectionId);

    /// <summary>Returns true when the party has no connection left (it went offline).</summary>
    public abstract bool PartyDisconnected(Guid partyId, string connectionId);

    public abstract bool IsOnline(Guid partyId);

    public abstract void OfficerConnected(string connectionId);

    public abstract void OfficerDisconnected(string connectionId);

    public abstract int OfficersOnline { get; }

    /// <summary>
    /// Counts a live hub connection of one token holder (<c>party:{id}</c>, <c>session:{token hash}</c>) and returns how
    /// many it has now, this one included. A connection that is then refused must be removed again.
    /// </summary>
    public abstract int HolderConnected(string holder, string connectionId);

    public abstract void HolderDisconnected(string holder, string connectionId);
}

/// <summary>Presence for a single node.</summary>
public sealed class LocalPresence : Presence
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, byte>> parties = new();
    private readonly ConcurrentDictionary<string, byte> officers = new();

    public override bool PartyConnected(Guid partyId, string connectionId)
    {
        var set = parties.GetOrAdd(partyId, _ => new ConcurrentDictionary<string, byte>());
        lock (set)
        {
            set[connectionId] = 0;
            return set.Count == 1;
        }
    }

    public override bool PartyDisconnected(Guid partyId, string connectionId)
    {
        if (!parties.TryGetValue(partyId, out var set))
        {
            return false;
        }

        lock (set)
        {
            set.TryRemove(connectionId, out _);
            return set.IsEmpty;
        }
    }

    public override bool IsOnline(Guid partyId) => parties.TryGetValue(partyId, out var set) && !set.IsEmpty;

    public override void OfficerConnected(string connectionId) => officers[connectionId] = 0;

    public override void OfficerDisconnected(string connectionId) => officers.TryRemove(connectionId, out _);

    public override int OfficersOnline => officers.Count;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> holders = new();

    public override int HolderConnected(string holder, string connectionId)
    {
        var set = holders.GetOrAdd(holder, _ => new ConcurrentDictionary<string, byte>());
        lock (set)
        {
            set[connectionId] = 0;
            return set.Count;
        }
    }

    public override void HolderDisconnected(string holder, string connectionId)
    {
        if (holders.TryGetValue(holder, out var set))
        {
            lock (set)
            {
                set.TryRemove(connectionId, out _);
            }
        }
    }
}

/// <summary>
/// Presence shared by several nodes in Redis: a hash per party of connection id → node id, and a
/// heartbeat key per node with a short expiry. Connections of a node that died (its heartbeat
/// expired) no longer count, so a crashed node does not keep parties "online".
/// </summary>
public sealed class RedisPresence : Presence, IDisposable
{
    private static readonly TimeSpan HeartbeatTtl = TimeSpan.FromSeconds(30);
    private readonly ConnectionMultiplexer redis;
    private readonly IDatabase db;
    private readonly string node = Guid.NewGuid().ToString("N");
    private readonly Timer heartbeat;
    private readonly string prefix;

    public RedisPresence(string configuration, string prefix)
    {
        this.prefix = prefix;
        redis = ConnectionMultiplexer.Connect(configuration);
        db = redis.GetDatabase();
        Beat();
        heartbeat = new Timer(_ => Beat(), null, HeartbeatTtl / 3, HeartbeatTtl / 3);
    }

    public override bool PartyConnected(Guid partyId, string connectionId)
    {
        var wasOnline = IsOnline(partyId);
        db.HashSet(PartyKey(partyId), connectionId, node);
        return !wasOnline;
    }

    public override bool PartyDisconnected(Guid partyId, string connectionId)
    {
        db.HashDelete(PartyKey(partyId), connectionId);
        return !IsOnline(partyId);
    }

    public override bool IsOnline(Guid partyId) => LiveCount(PartyKey(partyId)) > 0;

    public override void OfficerConnected(string connectionId) => db.HashSet(OfficersKey, connectionId, node);

    public override void OfficerDisconnected(string connectionId) => db.HashDelete(OfficersKey, connectionId);

    public override int OfficersOnline => LiveCount(OfficersKey);

    // Counted after adding, on every node alike: two connections racing for the last place may both be
    // refused, never both admitted. Connections of a dead node stop counting with its heartbeat.
    public override int HolderConnected(string holder, string connectionId)
    {
        db.HashSet(HolderKey(holder), connectionId, node);
        return LiveCount(HolderKey(holder));
    }

    public override void HolderDisconnected(string holder, string connectionId) => db.HashDelete(HolderKey(holder), connectionId);

    public void Dispose()
    {
        heartbeat.Dispose();
        redis.Dispose();
    }

    private int LiveCount(RedisKey key) =>
        db.HashGetAll(key).Count(e => db.KeyExists(NodeKey(e.Value.ToString())));

    private void Beat() => db.StringSet(NodeKey(node), "1", HeartbeatTtl);

    private RedisKey OfficersKey => $"{prefix}:presence:officers";

    private RedisKey PartyKey(Guid partyId) => $"{prefix}:presence:party:{partyId:N}";

    private RedisKey HolderKey(string holder) => $"{prefix}:presence:holder:{holder}";

    private RedisKey NodeKey(string id) => $"{prefix}:presence:node:{id}";
}
