using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Data;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Evidence;

/// <summary>
/// Links to evidence that work without signing in, for insurers' systems: HMAC-SHA256 over the claim id,
/// the item id and an expiry, so a link cannot be altered to reach another item, to serve another claim, or
/// to live longer. A link serves the item's clean copy (no EXIF), never the original.
/// </summary>
public sealed class EvidenceLinks(ServerSecrets secrets, IPublicAddress site, IOptions<EvidenceOptions> options, TimeProvider clock)
{
    private const string KeyName = "evidence-links";

    public async Task<(string Url, DateTimeOffset ExpiresAt)> SignAsync(Guid claimId, Guid evidenceId, CancellationToken ct, DbConnection? connection = null, DbTransaction? tx = null)
    {
        var expires = clock.GetUtcNow().Add(options.Value.LinkLifetime).ToUnixTimeSeconds();
        var sig = Signature(await secrets.GetAsync(KeyName, ct, connection, tx), claimId, evidenceId, expires);
        return ($"{site.PublicBaseUrl.TrimEnd('/')}/api/evidence/{evidenceId}/shared?claim={claimId:D}&expires={expires}&sig={sig}",
            DateTimeOffset.FromUnixTimeSeconds(expires));
    }

    /// <summary>Null when the link is good, otherwise why it is refused.</summary>
    public async Task<string?> CheckAsync(Guid? claimId, Guid evidenceId, long? expires, string? sig, CancellationToken ct)
    {
        if (claimId is null || expires is null || string.IsNullOrEmpty(sig))
        {
            return "The link has no claim, expiry or signature; use the link exactly as the claim carries it.";
        }

        var expected = Signature(await secrets.GetAsync(KeyName, ct), claimId.Value, evidenceId, expires.Value);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(sig)))
        {
            return "The link's signature does not match: it was changed, or it belongs to another item or another claim.";
        }

        return clock.GetUtcNow().ToUnixTimeSeconds() > expires
            ? "The link has expired; ask for the claim's evidence again."
            : null;
    }

    private static string Signature(byte[] key, Guid claimId, Guid evidenceId, long expires) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes($"claim:{claimId:D}:{evidenceId:D}:{expires.ToString(CultureInfo.InvariantCulture)}")));
}
