using System.Security.Claims;
using AccidentRemote.Server.Auth;
using QRCoder;

namespace AccidentRemote.Server.Cases;

/// <summary>A party's own requests on its case during the call: "my car is off the road", and the join QR for the other driver.</summary>
public static class PartyEndpoints
{
    public static IEndpointRouteBuilder MapPartyRequests(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Call");
        group.MapPost("/cases/{caseId:guid}/moved-confirmation", ConfirmMoved).RequireAuthorization(AuthExtensions.PartyPolicy);
        group.MapGet("/cases/{caseId:guid}/join-qr.svg", JoinQr).RequireAuthorization(AuthExtensions.PartyPolicy);
        return app;
    }

    private static async Task<IResult> ConfirmMoved(Guid caseId, ClaimsPrincipal user, CaseTransitions cases, ICasePages pages, CancellationToken ct)
    {
        if (user.PartyCaseId() != caseId)
        {
            return CaseResults.NoSuchCase(caseId);
        }

        switch (await cases.ConfirmMovedAsync(caseId, user.PartyId()!.Value, ct))
        {
            case CaseChange.Done:
                await pages.PartyMovedAsync(caseId, user.PartyId()!.Value);
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
            return TypedResults.Problem(statusCode: 409, title: "This case has no join code.", detail: "Everyone has joined, or the case is closed or escalated.");
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
