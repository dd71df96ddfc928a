using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

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

    /// <summary>
    /// TURN URLs (RFC 7065), all handed out with one credential, e.g. <c>turn:turn.example.org:3478?transport=udp</c>,
    /// <c>turn:turn.example.org:3478?transport=tcp</c> and <c>turns:turn.example.org:443?transport=tcp</c>: the last
    /// gets through mobile networks and proxies that let only TLS on 443 out.
    /// </summary>
    public List<string> Urls { get; set; } = [];

    /// <summary>coturn's <c>static-auth-secret</c>. Required when <see cref="Urls"/> is set.</summary>
    public string Secret { get; set; } = "";

    /// <summary>How long handed-out TURN credentials are valid.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "Turn:CredentialTtl must be between 1 minute and 1 day.")]
    public TimeSpan CredentialTtl { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>What is wrong with the TURN URLs, one message per bad entry (empty when all are good).</summary>
    public IEnumerable<string> UrlProblems()
    {
        for (var i = 0; i < Urls.Count; i++)
        {
            var url = Urls[i];
            var m = TurnUrl.Match(url);
            if (!m.Success)
            {
                yield return $"Turn:Urls:{i} '{url}' is not a TURN URL: write turn:host[:port][?transport=udp|tcp] or turns:host[:port]?transport=tcp, e.g. turns:turn.example.org:443?transport=tcp.";
            }
            else if (m.Groups["scheme"].Value == "turns" && m.Groups["transport"].Value == "udp")
            {
                yield return $"Turn:Urls:{i} '{url}': browsers do not speak TURN over DTLS; use turns:host:443?transport=tcp (TLS), or turn:host:3478?transport=udp.";
            }
            else if (m.Groups["port"].Success && (!int.TryParse(m.Groups["port"].Value, out var port) || port is < 1 or > 65535))
            {
                yield return $"Turn:Urls:{i} '{url}': the port must be between 1 and 65535.";
            }
        }
    }

    private static readonly Regex TurnUrl = new(
        @"^(?<scheme>turns?):(?<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:(?<port>[0-9]{1,5}))?(\?transport=(?<transport>udp|tcp))?$",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, TimeSpan.FromSeconds(1));
}
