using System.Security.Cryptography;
using System.Text;

namespace AccidentRemote.Server.Auth;

/// <summary>Random tokens, their storage hashes, and password hashing (PBKDF2-SHA256).</summary>
public static class Secrets
{
    public const string OfficerTokenPrefix = "ar_o_";
    public const string PartyTokenPrefix = "ar_p_";
    private const int Pbkdf2Iterations = 210_000;

    public static string NewToken(string prefix) => prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>Tokens are stored only as this hash; a stolen database yields no usable token.</summary>
    public static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>A password a person can type: 16 characters without look-alikes.</summary>
    public static string NewPassword()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 16);
    }

    private static readonly Lazy<string> Dummy = new(() => HashPassword(NewPassword()));

    /// <summary>
    /// A hash of a random password with the same parameters as real ones. A sign-in for an unknown
    /// username is checked against it, so it costs the same PBKDF2 work as one for a real officer and
    /// the answer's timing does not tell which usernames exist.
    /// </summary>
    public static string DummyPasswordHash => Dummy.Value;

    public static string HashPassword(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, Pbkdf2Iterations, HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256${Pbkdf2Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool VerifyPassword(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != "pbkdf2-sha256" || !int.TryParse(parts[1], out var iterations))
        {
            return false;
        }

        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
