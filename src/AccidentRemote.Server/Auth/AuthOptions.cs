using System.ComponentModel.DataAnnotations;
using System.Net;

namespace AccidentRemote.Server.Auth;

/// <summary>Sign-in, session and client-address settings. Section <c>Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>How long an officer's sign-in lasts (a shift).</summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00", ErrorMessage = "Auth:OfficerSessionLifetime must be between 5 minutes and 7 days.")]
    public TimeSpan OfficerSessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// How long a party's token keeps working after its case ended (closed, escalated or abandoned),
    /// for the driver to fetch the signed document, rate, and see the claim's report number. Until
    /// then it is narrowed to those; afterwards it is refused.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00", ErrorMessage = "Auth:PartyTokenLifetimeAfterCaseEnd must be between 1 hour and 365 days (e.g. 30.00:00:00).")]
    public TimeSpan PartyTokenLifetimeAfterCaseEnd { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Sign-in attempts allowed per client address per minute.</summary>
    [Range(1, 10_000, ErrorMessage = "Auth:SignInAttemptsPerMinute must be between 1 and 10000.")]
    public int SignInAttemptsPerMinute { get; set; } = 10;

    /// <summary>
    /// Failed sign-ins allowed per username (from all addresses together) within
    /// <see cref="SignInFailureWindow"/>; further attempts for that username are refused until the window ends.
    /// An address that signed in as that username successfully before is not held by it.
    /// </summary>
    [Range(1, 1_000, ErrorMessage = "Auth:SignInFailuresPerUsername must be between 1 and 1000.")]
    public int SignInFailuresPerUsername { get; set; } = 5;

    /// <summary>The window of <see cref="SignInFailuresPerUsername"/>: also the longest a username stays held after the last failure.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "00:15:00", ErrorMessage = "Auth:SignInFailureWindow must be between 10 seconds and 15 minutes.")]
    public TimeSpan SignInFailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often open staff hub connections are checked against their sessions (an ended session closes them).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Auth:HubSessionCheckInterval must be between 1 second and 5 minutes.")]
    public TimeSpan HubSessionCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The reverse proxies and load balancers whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>
    /// are believed: single addresses (<c>10.0.0.5</c>) or CIDR networks (<c>10.0.0.0/24</c>,
    /// <c>fd00::/8</c>). Empty (the default): no header is believed and the connection's address is the client.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>The first entry of <see cref="TrustedProxies"/> that is neither an address nor a network, with its index; null when all parse.</summary>
    public string? TrustedProxyProblem()
    {
        for (var i = 0; i < TrustedProxies.Length; i++)
        {
            var entry = TrustedProxies[i]?.Trim() ?? "";
            if (!IPAddress.TryParse(entry, out _) && !IsNetwork(entry))
            {
                return $"Auth:TrustedProxies:{i} '{entry}' is not an IP address or a CIDR network (write e.g. 10.0.0.5 or 10.0.0.0/24).";
            }
        }

        return null;
    }

    /// <summary>A CIDR network written with its base address (10.0.0.0/24, not 10.0.0.1/24, which would be a mistake for one host).</summary>
    private static bool IsNetwork(string entry)
    {
        var slash = entry.IndexOf('/', StringComparison.Ordinal);
        return slash > 0
            && IPAddress.TryParse(entry[..slash], out var address)
            && IPNetwork.TryParse(entry, out var network)
            && network.BaseAddress.Equals(address);
    }
}
