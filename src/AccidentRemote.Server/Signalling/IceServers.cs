using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Cases;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Signalling;

/// <summary>One entry of RTCConfiguration.iceServers, in the browser's shape.</summary>
public sealed record IceServer(IReadOnlyList<string> Urls, string? Username, string? Credential);

public sealed record IceServersResponse(IReadOnlyList<IceServer> IceServers, int TtlSeconds);

/// <summary>Hands out STUN/TURN servers with short-lived coturn credentials.</summary>
public sealed class IceServers(IOptions<TurnOptions> options, TimeProvider clock)
{
    /// <summary>
    /// <c>GET /api/ice-servers</c>: police staff, and a party only while a call with the officer can happen
    /// (waiting or in hand); not for a closed, escalated or abandoned case.
    /// </summary>
    public static async Task<IResult> Endpoint(ClaimsPrincipal user, IceServers ice, CaseHeads heads, CancellationToken ct)
    {
        if (user.IsParty())
        {
            var head = user.PartyCaseId() is { } caseId ? await heads.FindAsync(caseId, ct) : null;
            var access = head is null ? CaseAccessDecision.None : CaseAccessRule.Decide(user, head);
            if (!access.IsLiveParty || !CaseAccessRule.Callable.Contains(head!.Status))
            {
                return CaseResults.StateConflict(head?.Status ?? "gone",
                    "Relay servers are given only while a call with the officer can happen; this case has no call any more.");
            }
        }

        return TypedResults.Ok(ice.For(user));
    }

    public IceServersResponse For(ClaimsPrincipal user)
    {
        var o = options.Value;
        var servers = new List<IceServer>();
        if (o.StunUrls.Count > 0)
        {
            servers.Add(new IceServer(o.StunUrls, null, null));
        }

        if (o.Urls.Count > 0)
        {
            // The user part only tells coturn's logs who relayed; it is the party's or officer's id, no personal data.
            var who = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous";
            var expiry = clock.GetUtcNow().Add(o.CredentialTtl).ToUnixTimeSeconds();
            var username = $"{expiry}:{who}";
            servers.Add(new IceServer(o.Urls, username, Credential(o.Secret, username)));
        }

        return new IceServersResponse(servers, (int)o.CredentialTtl.TotalSeconds);
    }

    /// <summary>coturn use-auth-secret: Base64(HMAC-SHA1(secret, username)).</summary>
#pragma warning disable CA5350 // coturn's TURN REST scheme defines HMAC-SHA1; the credential lives minutes.
    public static string Credential(string secret, string username) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username)));
#pragma warning restore CA5350
}
