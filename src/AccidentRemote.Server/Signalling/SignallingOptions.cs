using System.ComponentModel.DataAnnotations;

namespace AccidentRemote.Server.Signalling;

/// <summary>Hub limits. Section <c>Signalling</c>.</summary>
public sealed class SignallingOptions
{
    public const string Section = "Signalling";

    /// <summary>Largest hub message accepted. A real Chromium offer is 5-10 KiB; 1 MB must not pass.</summary>
    [Range(16 * 1024, 512 * 1024, ErrorMessage = "Signalling:MaxMessageBytes must be between 16 KiB and 512 KiB.")]
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Sustained hub invocations a connection may make per second.</summary>
    [Range(1, 10_000)]
    public int SignalsPerSecond { get; set; } = 50;

    /// <summary>Call notices ("I left the call", "call me back") a party may send per minute.</summary>
    [Range(1, 600)]
    public int CallNoticesPerMinute { get; set; } = 6;

    /// <summary>
    /// Redis connection string (e.g. <c>127.0.0.1:6379</c>) when several server nodes run behind a
    /// load balancer: hub messages and presence are then shared through Redis. Empty: one node.
    /// </summary>
    public string Redis { get; set; } = "";

    /// <summary>
    /// Prefix of every Redis channel and key this deployment uses (SignalR backplane and presence).
    /// Deployments that share one Redis (production and staging, or parallel test runs) must each
    /// have their own, or they would push each other's queues to their officers.
    /// </summary>
    [RegularExpression("^[a-z0-9][a-z0-9._-]{0,39}$", ErrorMessage = "Signalling:RedisPrefix must be 1-40 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit, e.g. accidentremote-prod.")]
    public string RedisPrefix { get; set; } = "accidentremote";

    /// <summary>
    /// Least time between two pushes of the whole queue to every officer: a burst of reports within
    /// it sends one more push with the latest queue, not one per report. The first push is immediate.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10", ErrorMessage = "Signalling:QueuePushInterval must be between 00:00:00 and 00:00:10.")]
    public TimeSpan QueuePushInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Burst of invocations a connection may make at once (ICE gathering sends many quickly).</summary>
    [Range(1, 10_000)]
    public int SignalBurst { get; set; } = 100;

    /// <summary>
    /// Live hub connections one token (a party's, an officer's session) may have at once, counted over all nodes.
    /// A reconnect overlaps the old connection for a moment, so 1 is too few.
    /// </summary>
    [Range(2, 100, ErrorMessage = "Signalling:MaxConnectionsPerToken must be between 2 and 100 (a reconnect briefly needs two).")]
    public int MaxConnectionsPerToken { get; set; } = 3;
}
