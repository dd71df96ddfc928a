using System.Data.Common;
using AccidentRemote.Contracts.Claims;
using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Documents;
using AccidentRemote.Server.Evidence;
using AccidentRemote.Server.Fraud;
using Dapper;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Claims;

/// <summary>
/// Builds the claims of a closing case, one per party whose insurer is known: the case and its
/// parties, the signed document, each claim's share of the evidence with links signed for that
/// claim, and the fraud signals. Reads other features' tables inside the closing transaction and
/// writes none of its own; <see cref="ClaimOutbox"/> stores what it builds.
/// </summary>
public sealed class ClaimBuilder(EvidenceLinks links, EvidenceCopies copies, IOptions<DocumentOptions> site)
{
    /// <summary>The claims of <paramref name="details"/>, closed at <paramref name="closedAt"/>, each with the party it is for.</summary>
    public async Task<IReadOnlyList<(PartyRow Party, ClaimSubmitted Claim)>> BuildAsync(
        DbConnection c, DbTransaction tx, CaseDetails details, DateTimeOffset closedAt, CancellationToken ct)
    {
        var extras = await ExtrasAsync(c, tx, details, closedAt, ct);
        var claims = new List<(PartyRow, ClaimSubmitted)>();
        foreach (var party in details.Parties.Where(p => p.InsurerCode is not null))
        {
            var claim = BuildClaim(details, party, closedAt);
            claims.Add((party, claim with
            {
                Weather = details.Case.Weather,
                LiabilityScenario = details.Case.LiabilityScenario,
                Facts = details.Case.Facts,
                Document = extras.Document,
                Evidence = await EvidenceForAsync(c, tx, details, party, claim.ClaimId, extras.Evidence, ct),
                FraudSignals = extras.Signals,
            }));
        }

        return claims;
    }

    /// <summary>The part of a claim that comes from the case and its parties alone.</summary>
    internal static ClaimSubmitted BuildClaim(CaseDetails details, PartyRow party, DateTimeOffset closedAt) => new()
    {
        ClaimId = Guid.NewGuid(),
        CaseId = details.Case.Id,
        CaseNumber = details.Case.CaseNumber,
        InsurerCode = party.InsurerCode!,
        AccidentTime = details.Case.AccidentTime,
        ReportedAt = details.Case.ReportedAt,
        ClosedAt = closedAt,
        Location = new ClaimLocation(details.Case.Latitude, details.Case.Longitude, details.Case.Address),
        Insured = new InsuredParty(party.PartyNumber, party.Plate, party.VehicleType, party.PolicyNumber, party.Phone, party.Liability ?? "undetermined", party.Name, party.IdNumber),
        OtherParties = details.Parties.Where(p => p.Id != party.Id)
            .Select(p => new OtherParty(p.PartyNumber, p.Plate, p.VehicleType, p.InsurerCode, p.Liability ?? "undetermined"))
            .ToList(),
    };

    private sealed record Extras(ClaimDocument? Document, IReadOnlyList<EvidenceRow> Evidence, IReadOnlyList<ClaimFraudSignal> Signals);

    /// <summary>What the claims of the case share: the signed document, the case's evidence items (each claim takes its share), fraud signals.</summary>
    private async Task<Extras> ExtrasAsync(DbConnection c, DbTransaction tx, CaseDetails details, DateTimeOffset now, CancellationToken ct)
    {
        var document = await c.QuerySingleOrDefaultAsync<DocumentRow>("""
            SELECT number, version, verification_code, sha256 FROM documents WHERE case_id = @id ORDER BY version DESC LIMIT 1
            """, new { id = details.Case.Id }, tx);
        var evidence = (await c.QueryAsync<EvidenceRow>("""
            SELECT id, case_id, party_id, kind, angle, content_type, size, width, height, sha256, captured_by, captured_at, latitude, longitude
            FROM evidence WHERE case_id = @id ORDER BY captured_at
            """, new { id = details.Case.Id }, tx)).ToList();
        var signals = (await FraudSignals.ComputeAsync(c, tx, details, now)).Select(f => new ClaimFraudSignal(f.Code, f.Description, f.Facts)).ToList();
        return new Extras(
            document is null ? null : new ClaimDocument(document.Number, document.Version, document.VerificationCode, site.Value.VerificationUrl(document.VerificationCode), document.Sha256),
            evidence, signals);
    }

    /// <summary>
    /// One claim's evidence manifest: the scene evidence and the insured's own documents, never another party's
    /// (<see cref="EvidenceSharing"/>), each as its clean copy (no EXIF) with a link signed for this claim only.
    /// </summary>
    private async Task<IReadOnlyList<ClaimEvidence>> EvidenceForAsync(
        DbConnection c, DbTransaction tx, CaseDetails details, PartyRow party, Guid claimId, IReadOnlyList<EvidenceRow> items, CancellationToken ct)
    {
        var manifest = new List<ClaimEvidence>();
        foreach (var e in items.Where(e => EvidenceSharing.IsForInsurerOf(party.Id, e.Kind, e.Angle, e.PartyId, e.ContentType)))
        {
            if (await copies.ForAsync(e, ct, c, tx) is not { } copy)
            {
                continue; // its file is missing: nothing to link (the police's list still has the item)
            }

            var (url, expires) = await links.SignAsync(claimId, e.Id, ct, c, tx);
            manifest.Add(new ClaimEvidence(e.Id, e.Kind, e.Angle, details.Parties.FirstOrDefault(p => p.Id == e.PartyId)?.PartyNumber,
                copy.ContentType, copy.Sha256, e.CapturedAt, url, expires, copy.OriginalSha256));
        }

        return manifest;
    }

    private sealed class DocumentRow
    {
        public string Number { get; set; } = "";

        public int Version { get; set; }

        public string VerificationCode { get; set; } = "";

        public string Sha256 { get; set; } = "";
    }
}
