using System.Collections.Concurrent;

namespace AccidentRemote.Server.Signalling;

/// <summary>
/// Which parties have a live hub connection on this node, and how many officers are connected.
/// A party may have more than one connection for a moment (a reconnect overlapping the old
/// one); it is online while it has any.
/// </summary>
public sealed class Presence
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, byte>> parties = new();
    private readonly ConcurrentDictionary<string, byte> officers = new();

    /// <summary>Returns true when this is the party's first connection (it just came online).</summary>
    public bool PartyConnected(Guid partyId, string connectionId)
    {
        var set = parties.GetOrAdd(partyId, _ => new ConcurrentDictionary<string, byte>());
        lock (set)
        {
            set[connectionId] = 0;
            return set.Count == 1;
        }
    }

    /// <summary>Returns true when the party has no connection left (it went offline).</summary>
    public bool PartyDisconnected(Guid partyId, string connectionId)
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

    public bool IsOnline(Guid partyId) => parties.TryGetValue(partyId, out var set) && !set.IsEmpty;

    public void OfficerConnected(string connectionId) => officers[connectionId] = 0;

    public void OfficerDisconnected(string connectionId) => officers.TryRemove(connectionId, out _);

    public int OfficersOnline => officers.Count;
}
