using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Cases;

/// <summary>
/// Failure budgets for joining, so nobody sweeps the code space: each client (by
/// <see cref="Auth.AuthExtensions.ClientKey"/>) may fail <see cref="CasesOptions.JoinFailuresPerClient"/>
/// times, and all clients together <see cref="CasesOptions.JoinFailuresGlobal"/> times (typed codes
/// only), per <see cref="CasesOptions.JoinFailureWindowMinutes"/>. Kept per node, in memory; the
/// per-case lock is in the database and holds across nodes.
/// </summary>
public sealed class JoinGuard(IOptions<CasesOptions> options, TimeProvider clock)
{
    private const string Global = "*";

    private readonly ConcurrentDictionary<string, Window> windows = new();

    private sealed class Window(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;

        public int Failures;
    }

    /// <summary>When the client, or everyone (for typed codes), has used its budget: how long until it may try again.</summary>
    public TimeSpan? Blocked(string clientKey, bool typedCode)
    {
        var o = options.Value;
        var client = Wait(clientKey, o.JoinFailuresPerClient);
        return client ?? (typedCode ? Wait(Global, o.JoinFailuresGlobal) : null);
    }

    public void Failed(string clientKey, bool typedCode)
    {
        Count(clientKey);
        if (typedCode)
        {
            Count(Global);
        }
    }

    private TimeSpan? Wait(string key, int limit)
    {
        if (!windows.TryGetValue(key, out var w))
        {
            return null;
        }

        var end = w.Start + TimeSpan.FromMinutes(options.Value.JoinFailureWindowMinutes);
        var now = clock.GetUtcNow();
        return now >= end || Volatile.Read(ref w.Failures) < limit ? null : end - now;
    }

    private void Count(string key)
    {
        var now = clock.GetUtcNow();
        var length = TimeSpan.FromMinutes(options.Value.JoinFailureWindowMinutes);
        var w = windows.AddOrUpdate(key, _ => new Window(now), (_, old) => now - old.Start >= length ? new Window(now) : old);
        Interlocked.Increment(ref w.Failures);
        if (windows.Count > 10_000)
        {
            // Old windows hold nothing: drop them so a sweep from many addresses cannot fill memory.
            foreach (var (k, old) in windows)
            {
                if (now - old.Start >= length)
                {
                    windows.TryRemove(k, out _);
                }
            }
        }
    }
}
