namespace AccidentRemote.Server.Cases;

/// <summary>How many officers are online now, for a waiting driver's expected wait. Signalling's presence implements it.</summary>
public interface IOfficersOnline
{
    Task<int> OfficersOnlineAsync();
}
