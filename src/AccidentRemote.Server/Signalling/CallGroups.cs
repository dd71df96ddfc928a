namespace AccidentRemote.Server.Signalling;

/// <summary>The one place hub group names are made. Clients never name a group.</summary>
public static class CallGroups
{
    public const string Officers = "officers";

    public static string CaseOfficer(Guid caseId) => $"case:{caseId:N}:officer";

    public static string CaseParties(Guid caseId) => $"case:{caseId:N}:parties";

    public static string Party(Guid caseId, Guid partyId) => $"case:{caseId:N}:party:{partyId:N}";
}
