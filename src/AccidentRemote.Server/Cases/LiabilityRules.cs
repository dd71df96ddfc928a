namespace AccidentRemote.Server.Cases;

/// <summary>The officer's decision: the scenario, the facts and each party's share.</summary>
public sealed record LiabilityDecision(string Scenario, string? Facts, IReadOnlyList<(Guid PartyId, string Liability)> Parties);

/// <summary>A usual accident scenario and the split it suggests: the party who did it bears the first share.</summary>
public sealed record LiabilityScenario(string Code, string NameZh, string NameEn, string AtFault, string Others);

public sealed record LiabilityProblem(string Field, string Message);

/// <summary>
/// Liability per party (全部 full / 主要 main / 同等 equal / 次要 minor / 无 none / 无法认定 undetermined)
/// and the rules a decision must follow to be consistent.
/// </summary>
public static class LiabilityRules
{
    public static readonly IReadOnlyList<LiabilityScenario> Scenarios =
    [
        new("rear-end", "追尾", "Rear-end collision", "full", "none"),
        new("reversing", "倒车", "Reversing", "full", "none"),
        new("lane-change", "变更车道", "Changing lanes", "full", "none"),
        new("door-opening", "开关车门", "Opening a door", "full", "none"),
        new("signal-violation", "违反交通信号", "Ignoring a traffic signal", "full", "none"),
        new("failure-to-yield", "未按规定让行", "Failing to yield", "full", "none"),
        new("rolling-back", "溜车", "Rolling back", "full", "none"),
        new("wrong-way", "逆向行驶", "Driving the wrong way", "full", "none"),
        new("other", "其他", "Other", "", ""),
    ];

    /// <summary>The split a scenario suggests when <paramref name="atFault"/> did it; null for "other".</summary>
    public static IReadOnlyList<(Guid PartyId, string Liability)>? Suggest(string scenario, Guid atFault, IEnumerable<Guid> parties)
    {
        var s = Scenarios.SingleOrDefault(x => x.Code == scenario);
        return s is null || s.AtFault.Length == 0 ? null : parties.Select(p => (p, p == atFault ? s.AtFault : s.Others)).ToList();
    }

    public static LiabilityProblem? Check(CaseDetails details, LiabilityDecision decision)
    {
        if (Scenarios.All(s => s.Code != decision.Scenario))
        {
            return new("scenario", ServerText.Get("Liability.Scenario"));
        }

        if (decision.Facts is { Length: > 2000 })
        {
            return new("facts", ServerText.Get("Liability.FactsTooLong"));
        }

        foreach (var (partyId, value) in decision.Parties)
        {
            if (details.Parties.All(p => p.Id != partyId))
            {
                return new("parties", ServerText.Get("Liability.NotAParty", details.Case.CaseNumber));
            }

            if (!Liability.Values.Contains(value))
            {
                return new("parties", ServerText.Get("Liability.Value"));
            }
        }

        var missing = details.Parties.Where(p => decision.Parties.All(d => d.PartyId != p.Id)).Select(p => p.PartyNumber).ToList();
        if (missing.Count > 0)
        {
            return new("parties", ServerText.Get("Liability.Missing", string.Join(", ", missing)));
        }

        if (decision.Parties.GroupBy(p => p.PartyId).Any(g => g.Count() > 1))
        {
            return new("parties", ServerText.Get("Liability.Twice"));
        }

        return Consistency(decision.Parties.Select(p => p.Liability).ToList()) is { } message ? new("parties", message) : null;
    }

    /// <summary>Whether the shares fit together, e.g. one party full means all others none.</summary>
    public static string? Consistency(IReadOnlyList<string> shares)
    {
        int Count(string v) => shares.Count(s => s == v);
        if (shares.Count == 1)
        {
            return null;
        }

        if (Count("undetermined") > 0)
        {
            return Count("undetermined") == shares.Count ? null : ServerText.Get("Liability.Undetermined");
        }

        if (Count("full") > 0)
        {
            return Count("full") == 1 && Count("none") == shares.Count - 1 ? null : ServerText.Get("Liability.Full");
        }

        if (Count("main") > 0 || Count("minor") > 0)
        {
            if (Count("main") != 1 || Count("minor") < 1 || Count("equal") > 0)
            {
                return ServerText.Get("Liability.Main");
            }

            return null;
        }

        if (Count("equal") > 0)
        {
            return Count("equal") >= 2 ? null : ServerText.Get("Liability.Equal");
        }

        return ServerText.Get("Liability.Nobody");
    }
}
