using System.Security.Claims;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Cases;

namespace AccidentRemote.Server.Signalling;

public sealed record InstructionRequest(string? Kind, Guid? PartyId, string? Angle);

/// <summary>A party's word about its call: <c>left</c> (the driver hung up; the case stays open) or <c>call-back</c> (please call me again).</summary>
public sealed record CallNoticeRequest(string? Kind);

/// <summary>What a party's call notice records (the subject of the <c>call_notice</c> record), for the officer's console.</summary>
public sealed record CallNotice(Guid PartyId, string Kind);

public static class CallEndpoints
{
    /// <summary><c>details</c> asks the party for its name and ID number (the driver page opens its details card then, not before).</summary>
    public static readonly IReadOnlyList<string> InstructionKinds = ["move-cars", "photo", "audio-only", "video", "details", "end-call"];

    public static readonly IReadOnlyList<string> CallNoticeKinds = ["left", "call-back"];

    public const string CallNoticeRateLimit = "call-notice";

    public static readonly IReadOnlyList<string> PhotoAngles = ["both-cars", "collision-point", "plates", "panorama", "licence", "registration"];

    public static IEndpointRouteBuilder MapCall(this IEndpointRouteBuilder app)
    {
        app.MapHub<CallHub>(CallHub.Path).Add(RefuseWhileStopping);
        var group = app.MapGroup("/api").WithTags("Call");
        group.MapGet("/ice-servers", IceServers.Endpoint).RequireAuthorization(AuthExtensions.CasePolicy);
        group.MapPost("/cases/{caseId:guid}/instructions", Instruct).RequireAuthorization(AuthExtensions.StaffPolicy);
        app.MapPhrases();
        group.MapPost("/cases/{caseId:guid}/call-notices", Notice).RequireAuthorization(AuthExtensions.PartyPolicy).RequireRateLimiting(CallNoticeRateLimit);
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

    /// <summary>
    /// Per party (its token's party id): a few notices a minute. A driver taps "call me back" once or
    /// twice; more is a stuck button or a script, and each notice lands on an officer's screen.
    /// </summary>
    public static void AddCallNoticeRateLimit(IServiceCollection services) =>
        services.Configure<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>(o => o.AddPolicy(CallNoticeRateLimit, http =>
            System.Threading.RateLimiting.RateLimitPartition.GetFixedWindowLimiter(
                http.User.PartyId() is { } party ? $"party:{party:N}" : AuthExtensions.ClientKey(http),
                _ => new System.Threading.RateLimiting.FixedWindowRateLimiterOptions
                {
                    PermitLimit = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<SignallingOptions>>().Value.CallNoticesPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                })));

    /// <summary>
    /// A party says it left the call (hung up on its phone) or asks to be called back. Only for its
    /// own case, only while an officer handles it; recorded in the case's events through the case
    /// transaction, and the officer's console is told (<see cref="ICallClient.CallNotice"/>). Leaving
    /// the call closes nothing: the case stays with its officer, who calls again or closes it.
    /// </summary>
    private static async Task<IResult> Notice(Guid caseId, CallNoticeRequest request, ClaimsPrincipal user, CaseStore cases, CaseTransitions transitions, CancellationToken ct)
    {
        if (user.PartyCaseId() != caseId || user.PartyId() is not { } partyId)
        {
            return CaseResults.NoSuchCase(caseId);
        }

        if (request.Kind is null || !CallNoticeKinds.Contains(request.Kind))
        {
            return Problems.Invalid("CallNotice.Invalid", new Dictionary<string, string[]> { ["kind"] = [ServerText.Get("CallNotice.UnknownKind")] });
        }

        var head = await cases.GetAsync(caseId, ct);
        if (head is null)
        {
            return CaseResults.NoSuchCase(caseId);
        }

        if (!CaseStatus.InHand.Contains(head.Case.Status))
        {
            return CaseResults.StateConflict(head.Case.Status, ServerText.Get("CallNotice.WrongState"));
        }

        var result = await transitions.RecordAsync(caseId, new CaseActor.Party(partyId), "call_notice", request.Kind, ct, subject: new CallNotice(partyId, request.Kind));
        return result switch
        {
            CaseChange.Done => TypedResults.Accepted((string?)null),
            CaseChange.WrongState s => CaseResults.StateConflict(s.Status, s.Reason),
            _ => CaseResults.NoSuchCase(caseId),
        };
    }
}
