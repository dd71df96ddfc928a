using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Auth;

/// <summary>
/// The per-username half of the sign-in limit (the per-address half is the "sign-in" rate limiter).
/// Counts failed sign-ins per username over a short fixed window, from every address together, so that
/// spreading guesses over many addresses does not help. To keep an attacker from locking a named officer
/// out, the hold is short (it ends with the window) and does not apply to an address that signed in as
/// that officer successfully within a session lifetime: an officer at the usual workstation still gets in.
/// Held in memory per node, like the rate limiters.
/// </summary>
public sealed class SignInThrottle(IOptions<AuthOptions> options, TimeProvider clock)
{
    private const int CleanupAbove = 10_000;
    private readonly ConcurrentDictionary<string, Window> failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Username, string Client), DateTimeOffset> knownClients = new();

    /// <summary>How long this username is held for this client; null when it may try now.</summary>
    public TimeSpan? RetryAfter(string username, string clientKey)
    {
        var now = clock.GetUtcNow();
        if (knownClients.TryGetValue((username, clientKey), out var until) && until > now)
        {
            return null;
        }

        if (!failures.TryGetValue(username, out var window))
        {
            return null;
        }

        lock (window)
        {
            var ends = window.Start + options.Value.SignInFailureWindow;
            return window.Count >= options.Value.SignInFailuresPerUsername && ends > now ? ends - now : null;
        }
    }

    /// <summary>Counts a failed sign-in; true when this failure starts a hold.</summary>
    public bool Failed(string username)
    {
        var now = clock.GetUtcNow();
        var length = options.Value.SignInFailureWindow;
        if (failures.Count > CleanupAbove)
        {
            foreach (var (name, old) in failures)
            {
                if (old.Start + length <= now)
                {
                    failures.TryRemove(name, out _);
                }
            }
        }

        var window = failures.GetOrAdd(username, _ => new Window { Start = now });
        lock (window)
        {
            if (window.Start + length <= now)
            {
                window.Start = now;
                window.Count = 0;
            }

            window.Count++;
            return window.Count == options.Value.SignInFailuresPerUsername;
        }
    }

    public void Succeeded(string username, string clientKey)
    {
        var now = clock.GetUtcNow();
        if (knownClients.Count > CleanupAbove)
        {
            foreach (var (key, until) in knownClients)
            {
                if (until <= now)
                {
                    knownClients.TryRemove(key, out _);
                }
            }
        }

        knownClients[(username, clientKey)] = now + options.Value.OfficerSessionLifetime;
    }

    private sealed class Window
    {
        public DateTimeOffset Start { get; set; }

        public int Count { get; set; }
    }
}
