using System.Security.Claims;
using AccidentRemote.Server.Audit;
using AccidentRemote.Server.Insurers;

namespace AccidentRemote.Server.Cases;

/// <summary>
/// A case as its reader may see it (<see cref="CaseAccessRule"/>): every answer that carries a case
/// goes through here, and a staff read of personal data is audited first.
/// </summary>
public static class CaseViews
{
    /// <summary>
    /// The case as <paramref name="access"/> allows, for <paramref name="user"/>: when it holds personal data
    /// for staff, the read is first written to the audit log (<paramref name="via"/> names the read).
    /// </summary>
    public static async Task<CaseView> ViewAsync(CaseDetails d, CaseAccessDecision access, ClaimsPrincipal user, ReadAudit audit, string via, CancellationToken ct,
        IReadOnlyDictionary<Guid, CompulsoryCheck>? compulsory = null)
    {
        if (access.SeesPersonalData && d.Parties.Count > 0)
        {
            var fields = new List<string> { "phone", "policyNumber" };
            if (d.Parties.Any(p => p.Name is not null))
            {
                fields.Insert(0, "name");
            }

            if (d.Parties.Any(p => p.IdNumber is not null))
            {
                fields.Add("idNumber");
            }

            await audit.RecordAsync(user, d.Case.Id, string.Join(',', fields), via, ct);
        }

        return ToView(d, access, compulsory);
    }

    /// <summary>
    /// Full: everything. Queue (other staff): no name, ID number, phone or policy. Party: its own data; the
    /// other parties' phone and ID number masked, and once the case ended, their name and policy left out too.
    /// </summary>
    public static CaseView ToView(CaseDetails d, CaseAccessDecision access, IReadOnlyDictionary<Guid, CompulsoryCheck>? compulsory = null)
    {
        var c = d.Case;
        return new CaseView(
            c.Id, c.CaseNumber, c.Status, access.IsEndedParty || access.Sight == CaseSight.Queue ? null : c.JoinCode, c.ExpectedParties, c.AccidentTime,
            new LocationView(c.Latitude, c.Longitude, c.Address),
            new TriageView(c.AnyoneInjured != 0, c.VehiclesDrivable != 0, c.HazardousGoods != 0),
            c.EscalationReason, c.OfficerId, c.LiabilityScenario, c.Facts,
            new CaseTimes(c.ReportedAt, c.AnsweredAt, c.VehiclesMovedAt, c.ClosedAt, c.EscalatedAt),
            d.Parties.Select(p => PartyFor(p, access, compulsory)).ToList(),
            c.AbandonReason);
    }

    private static PartyView PartyFor(PartyRow p, CaseAccessDecision access, IReadOnlyDictionary<Guid, CompulsoryCheck>? compulsory)
    {
        var own = access.IsParty && p.Id == access.PartyId;
        if (access.SeesPersonalData || own)
        {
            return new PartyView(p.Id, p.PartyNumber, p.Plate, p.VehicleType, p.InsurerCode, p.PolicyNumber, p.Phone, p.Liability, p.JoinedAt, p.Name, p.IdNumber,
                compulsory?.GetValueOrDefault(p.Id)?.Status, compulsory?.GetValueOrDefault(p.Id)?.Conflict, Consent(p));
        }

        if (access.IsLiveParty)
        {
            // The other driver during the case: enough to recognise each other, not to copy the numbers.
            return new PartyView(p.Id, p.PartyNumber, p.Plate, p.VehicleType, p.InsurerCode, p.PolicyNumber, CaseRules.MaskPhone(p.Phone), p.Liability, p.JoinedAt, p.Name,
                p.IdNumber is null ? null : CaseRules.MaskIdNumber(p.IdNumber));
        }

        if (access.IsEndedParty)
        {
            return new PartyView(p.Id, p.PartyNumber, p.Plate, p.VehicleType, p.InsurerCode, null, CaseRules.MaskPhone(p.Phone), p.Liability, p.JoinedAt, null, null);
        }

        // Staff who do not handle the case: the vehicle, not the person.
        return new PartyView(p.Id, p.PartyNumber, p.Plate, p.VehicleType, p.InsurerCode, null, null, p.Liability, p.JoinedAt, null, null, Consent: Consent(p));
    }

    /// <summary>The privacy notice the party agreed to (version, language, time): no personal data.</summary>
    private static PartyConsent? Consent(PartyRow p) =>
        p.ConsentVersion is null ? null : new PartyConsent(p.ConsentVersion, p.ConsentLanguage ?? "", p.ConsentedAt ?? p.JoinedAt);
}
