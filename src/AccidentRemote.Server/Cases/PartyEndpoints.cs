using System.Security.Claims;
using AccidentRemote.Server.Audit;
using AccidentRemote.Server.Auth;
using QRCoder;

namespace AccidentRemote.Server.Cases;

public sealed record PartyDetailsRequest(string? Name, string? IdNumber);

/// <summary>
/// Whose a party token is, for a page that has only the token (a case link, /case#token): the case and the party, and until when
/// the page may keep the token (the case's end plus the token's lifetime after it; while the case is open, at least that lifetime from now).
/// </summary>
public sealed record PartySessionView(Guid CaseId, string CaseNumber, Guid PartyId, int PartyNumber, string Status, DateTimeOffset KeepUntil);

/// <summary>A party's own requests on its case: its details for the document, "my car is off the road", and the join QR for the other driver.</summary>
public static class PartyEndpoints
{
    public static IEndpointRouteBuilder MapPartyRequests(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Call");
        app.MapGroup("/api/cases/{caseId:guid}").WithTags("Document and signatures").MapPut("/parties/me", GiveDetails).RequireAuthorization(AuthExtensions.PartyPolicy);
        group.MapPost("/cases/{caseId:guid}/moved-confirmation", ConfirmMoved).RequireAuthorization(AuthExtensions.PartyPolicy);
        group.MapGet("/cases/{caseId:guid}/join-qr.svg", JoinQr).RequireAuthorization(AuthExtensions.PartyPolicy);
        group.MapGet("/party/session", Session).RequireAuthorization(AuthExtensions.PartyPolicy).WithTags("Case link");
        return app;
    }

    /// <summary>The party's name and ID number for the accident document; while the parties sign, a change voids the signatures.</summary>
    private static async Task<IResult> GiveDetails(Guid caseId, PartyDetailsRequest request, ClaimsPrincipal user, CaseTransitions transitions, CaseStore cases, ReadAudit audit, CancellationToken ct)
    {
        if (user.PartyCaseId() != caseId)
        {
            return CaseResults.NoSuchCase(caseId);
        }

        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 40)
        {
            errors["name"] = [ServerText.Get("Details.Name")];
        }
        else if (RequestValidation.UnsafeCharacter(name) is not null)
        {
            errors["name"] = [ServerText.Get("Details.NameUnsafe")];
        }

        var id = request.IdNumber?.Trim().ToUpperInvariant();
        if (id is null || !CaseRules.IsValidIdNumber(id))
        {
            errors["idNumber"] = [ServerText.Get("Details.IdNumber")];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid("Details.Invalid", errors);
        }

        var partyId = user.PartyId()!.Value;
        // The same details again (a replay of the driver page's offline outbox, a second tap) change nothing:
        // no event, and the signatures of a document being signed stay valid.
        if (await cases.GetAsync(caseId, ct) is { } current
            && current.Parties.FirstOrDefault(p => p.Id == partyId) is { } me && me.Name == name && me.IdNumber == id)
        {
            return TypedResults.Ok(await CaseViews.ViewAsync(current, CaseAccessRule.Decide(user, current.Case), user, audit, "change", ct));
        }

        var result = await transitions.PartyChangeAsync(caseId, partyId, async (c, tx, details, now) =>
        {
            if (details.Case.Status is CaseStatus.Closed or CaseStatus.Escalated or CaseStatus.Abandoned)
            {
                return new CaseChange.WrongState(details.Case.Status, ServerText.Get("Details.CaseOver"));
            }

            await CaseWrites.SetPartyIdentityAsync(c, tx, partyId, name, id);
            return null;
        }, "details_given", ct);
        return result is CaseChange.Done done
            ? TypedResults.Ok(await CaseViews.ViewAsync(done.Case, CaseAccessRule.Decide(user, done.Case.Case), user, audit, "change", ct))
            : CaseResults.Refusal(result, caseId);
    }

    private static async Task<IResult> Session(ClaimsPrincipal user, CaseStore cases, TimeProvider clock,
        Microsoft.Extensions.Options.IOptions<AuthOptions> auth, CancellationToken ct)
    {
        var details = user.PartyCaseId() is { } caseId ? await cases.GetAsync(caseId, ct) : null;
        var party = details?.Parties.SingleOrDefault(p => p.Id == user.PartyId());
        if (details is null || party is null)
        {
            return CaseResults.NoSuchCase();
        }

        var keepUntil = DateTimeOffset.TryParse(user.FindFirstValue(TokenAuthenticationHandler.PartyTokenExpiresClaim),
            System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var expires)
            ? expires
            : clock.GetUtcNow() + auth.Value.PartyTokenLifetimeAfterCaseEnd;
        return TypedResults.Ok(new PartySessionView(details.Case.Id, details.Case.CaseNumber, party.Id, party.PartyNumber, details.Case.Status, keepUntil));
    }

    private static async Task<IResult> ConfirmMoved(Guid caseId, ClaimsPrincipal user, CaseTransitions cases, CancellationToken ct)
    {
        if (user.PartyCaseId() != caseId)
        {
            return CaseResults.NoSuchCase(caseId);
        }

        switch (await cases.ConfirmMovedAsync(caseId, user.PartyId()!.Value, ct))
        {
            case CaseChange.Done:
                return TypedResults.Ok();
            case CaseChange.WrongState s:
                return CaseResults.StateConflict(s.Status, s.Reason);
            default:
                return CaseResults.NoSuchCase(caseId);
        }
    }

    private static async Task<IResult> JoinQr(Guid caseId, ClaimsPrincipal user, CaseStore cases, IPublicAddress address, CancellationToken ct)
    {
        var details = user.PartyCaseId() == caseId ? await cases.GetAsync(caseId, ct) : null;
        if (details is null)
        {
            return CaseResults.NoSuchCase(caseId);
        }

        if (details.Case.JoinCode is null)
        {
            return Problems.Of(409, "JoinQr.None");
        }

        // The public address (behind TLS, the request's own scheme would be http://), and the
        // case's link secret in the fragment: never sent to a server, so never in a log.
        var link = JoinLink(address.PublicBaseUrl, details.Case.JoinCode, details.Case.JoinSecret);
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(link, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(8);
        return TypedResults.Text(svg, "image/svg+xml");
    }

    /// <summary>The join link of a case: the page opens in join mode with the code filled in and sends the secret.</summary>
    public static string JoinLink(string publicBaseUrl, string joinCode, string? joinSecret) =>
        $"{publicBaseUrl.TrimEnd('/')}/join/{joinCode}" + (joinSecret is null ? "" : $"#{joinSecret}");
}
