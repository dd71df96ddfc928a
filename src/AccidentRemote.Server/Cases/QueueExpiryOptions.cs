using System.ComponentModel.DataAnnotations;

namespace AccidentRemote.Server.Cases;

/// <summary>When an unanswered report is given up. Section <c>Cases</c>.</summary>
public sealed class QueueExpiryOptions
{
    /// <summary>
    /// A queued case nobody answered within this time of its report is abandoned with reason <c>expired</c>
    /// (default 30 minutes: far past the 1-minute answer target, and a driver still at the roadside is better
    /// told to call 122 than left waiting). Uploads stop with it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:02:00", "1.00:00:00", ErrorMessage = "Cases:UnansweredExpiry must be between 2 minutes and 1 day.")]
    public TimeSpan UnansweredExpiry { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often the queue is checked for expired cases (default 30 seconds).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Cases:ExpiryCheckInterval must be between 100 ms and 10 minutes.")]
    public TimeSpan ExpiryCheckInterval { get; set; } = TimeSpan.FromSeconds(30);
}
