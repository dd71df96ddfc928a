namespace AccidentRemote.Server.Cases;

/// <summary>Where the public reaches this server (for links and QR codes). Documents, which owns the setting, implements it.</summary>
public interface IPublicAddress
{
    string PublicBaseUrl { get; }
}
