using System.ComponentModel.DataAnnotations;

namespace AccidentRemote.Server.Signalling;

/// <summary>
/// STUN/TURN servers for browsers. Section <c>Turn</c>. TURN credentials are coturn's
/// <c>use-auth-secret</c> scheme: username <c>expiry:user</c>, password Base64(HMAC-SHA1(secret, username)).
/// </summary>
public sealed class TurnOptions
{
    public const string Section = "Turn";

    /// <summary>STUN URLs, e.g. <c>stun:turn.example.org:3478</c>.</summary>
    public List<string> StunUrls { get; set; } = [];

    /// <summary>TURN URLs, e.g. <c>turn:turn.example.org:3478?transport=udp</c>, <c>turns:turn.example.org:5349</c>.</summary>
    public List<string> Urls { get; set; } = [];

    /// <summary>coturn's <c>static-auth-secret</c>. Required when <see cref="Urls"/> is set.</summary>
    public string Secret { get; set; } = "";

    /// <summary>How long handed-out TURN credentials are valid.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "Turn:CredentialTtl must be between 1 minute and 1 day.")]
    public TimeSpan CredentialTtl { get; set; } = TimeSpan.FromMinutes(30);
}
