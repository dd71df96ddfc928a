using System.ComponentModel.DataAnnotations;

namespace AccidentRemote.Server.Claims;

/// <summary>How the claims outbox is dispatched. Section <c>Claims</c>.</summary>
public sealed class ClaimsOptions
{
    public const string Section = "Claims";

    /// <summary>How often the dispatcher looks for due claims when nothing woke it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long to wait for the broker to confirm one claim.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>When a claim is parked (no queue for its insurer), how soon to try again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ParkedRetryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between two tries after a broker failure (back-off doubles up to this).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A claim the insurer has not acknowledged this long after the broker took it is published again (same message id) and flagged.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many claims are published at once, each waiting for its broker confirm.</summary>
    [Range(1, 256)]
    public int PublishConcurrency { get; set; } = 16;

    /// <summary>How many claims one dispatcher takes at a time.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 50;
}
