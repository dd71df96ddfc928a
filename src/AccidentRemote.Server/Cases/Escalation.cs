namespace AccidentRemote.Server.Cases;

/// <summary>Why a report cannot be handled remotely, and what to tell the driver.</summary>
public static class Escalation
{
    public const string Injuries = "injuries";
    public const string NotDrivable = "vehicles_not_drivable";
    public const string HazardousGoods = "hazardous_goods";

    public static string? ReasonFor(bool anyoneInjured, bool vehiclesDrivable, bool hazardousGoods) =>
        anyoneInjured ? Injuries : hazardousGoods ? HazardousGoods : !vehiclesDrivable ? NotDrivable : null;

    public static string AdviceKey(string reason) => $"Advice.{reason}";

    /// <summary>Why an officer sends a case to an on-scene officer.</summary>
    public static readonly IReadOnlyList<string> OfficerReasons = [Injuries, NotDrivable, HazardousGoods, "dispute", "poor_visibility", "other"];
}
