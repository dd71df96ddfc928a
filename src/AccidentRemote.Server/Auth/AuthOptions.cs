using System.ComponentModel.DataAnnotations;

namespace AccidentRemote.Server.Auth;

/// <summary>Sign-in settings. Section <c>Auth</c>.</summary>
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
    [Range(1, 10_000)]
    public int SignInAttemptsPerMinute { get; set; } = 10;
}
