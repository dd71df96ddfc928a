using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AccidentRemote.Tests.Infrastructure;

/// <summary>A badge number (警号) for a test officer: six digits derived from the username, so every test officer can issue documents.</summary>
public static class TestBadge
{
    public static string For(string username) =>
        (BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(username))) % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
}
