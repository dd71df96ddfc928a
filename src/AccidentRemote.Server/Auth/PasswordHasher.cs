namespace AccidentRemote.Server.Auth;

/// <summary>Verifies officers' passwords; a seam so that tests can see which hash each sign-in checked.</summary>
public interface IPasswordHasher
{
    bool Verify(string password, string storedHash);
}

/// <summary>PBKDF2-SHA256 (<see cref="Secrets.VerifyPassword"/>).</summary>
public sealed class Pbkdf2PasswordHasher : IPasswordHasher
{
    public bool Verify(string password, string storedHash) => Secrets.VerifyPassword(password, storedHash);
}
