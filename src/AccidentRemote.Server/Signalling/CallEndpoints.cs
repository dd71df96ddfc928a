using System.Security.Claims;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Cases;

namespace AccidentRemote.Server.Signalling;

public sealed record InstructionRequest(string? Kind, Guid? PartyId, string? Angle);

public static class CallEndpoints
{
    public static readonly IReadOnlyList<string> InstructionKinds = ["move-cars", "photo", "audio-only", "video", "end-call"];

    public static readonly IReadOnlyList<string> PhotoAngles = ["both-cars", "collision-point", "plates", "panorama", "licence", "registration"];

    public static IEndpointRouteBuilder MapCall(this IEndpointRouteBuilder app)
    {
        app.MapHub<CallHub>(CallHub.Path).Add(RefuseWhileStopping);
        var group = app.MapGroup("/api").WithTags("Call");
        group.MapGet("/ice-servers", IceServers.Endpoint).RequireAuthorization(AuthExtensions.CasePolicy);
        group.MapPost("/cases/{caseId:guid}/instructions", Instruct).RequireAuthorization(AuthExtensions.StaffPolicy);
        return app;
    }

    /// <summary>
    /// A node that is stopping (SIGTERM, a rolling upgrade) closes its hub connections, and the pages
    /// reconnect at once. Were it to take them back, it would hold them until its shutdown timeout and
    /// drop them again; so new hub requests get 503, which the proxy passes on to another node
    /// (<c>proxy_next_upstream ... http_503</c> in infra/nginx/accidentremote.conf).
    /// </summary>
    private static void RefuseWhileStopping(EndpointBuilder endpoint)
    {
        var next = endpoint.RequestDelegate ?? throw new InvalidOperationException("The hub endpoint has no request delegate.");
        endpoint.RequestDelegate = context =>
        {
            if (!context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested)
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            context.Response.Headers.Connection = "close";
            return Task.CompletedTask;
        };
    }

    private static async Task<IResult> Instruct(Guid caseId, InstructionRequest request, ClaimsPrincipal user, CaseStore cases, CaseTransitions transitions, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Kind is null || !InstructionKinds.Contains(request.Kind))
        {
            errors["kind"] = [ServerText.Get("Instruction.Kind")];
        }

        if (request.Kind == "photo" && (request.Angle is null || !PhotoAngles.Contains(request.Angle)))
        {
            errors["angle"] = [ServerText.Get("Instruction.Angle")];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid("Instruction.Invalid", errors);
        }

        var details = await cases.GetAsync(caseId, ct);
        if (details is null)
        {
            return CaseResults.NoSuchCase(caseId);
        }

        if (!CaseAccessRule.Decide(user, details.Case).SeesPersonalData)
        {
            return Problems.Of(403, "Instruction.NotHandling");
        }

        if (!CaseStatus.InHand.Contains(details.Case.Status))
        {
            return CaseResults.StateConflict(details.Case.Status, ServerText.Get("Instruction.NotInHand"));
        }

        if (request.PartyId is { } p && details.Parties.All(x => x.Id != p))
        {
            return Problems.Field("partyId", "Instruction.Party");
        }

        await transitions.RecordAsync(caseId, new CaseActor.Officer(user.OfficerId(), user.IsInRole(Roles.Supervisor)), "instruction", $"{request.Kind}:{request.Angle}:{request.PartyId}", ct, subject: request);
        return TypedResults.Accepted((string?)null);
    }

}
