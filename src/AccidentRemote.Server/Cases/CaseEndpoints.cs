using System.Security.Claims;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Insurers;
using AccidentRemote.Server.Kpis;
using AccidentRemote.Server.Signalling;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Cases;

public static class CaseEndpoints
{
    public const string ReportRateLimit = "reports";

    public static IEndpointRouteBuilder MapCases(this IEndpointRouteBuilder app)
    {
        var drivers = app.MapGroup("/api/cases").WithTags("Cases");
        drivers.MapPost("/", Report).AllowAnonymous().RequireRateLimiting(ReportRateLimit);
        drivers.MapPost("/join", Join).AllowAnonymous().RequireRateLimiting(ReportRateLimit);
        drivers.MapGet("/{caseId:guid}", Get).RequireAuthorization(AuthExtensions.CasePolicy);
        drivers.MapPost("/{caseId:guid}/satisfaction", Rate).RequireAuthorization(AuthExtensions.PartyPolicy);

        var officers = app.MapGroup("/api").WithTags("Officer handling").RequireAuthorization(AuthExtensions.StaffPolicy);
        officers.MapGet("/queue", async (CaseStore store, CancellationToken ct) => TypedResults.Ok(await store.QueueAsync(ct)));
        officers.MapPost("/cases/{caseId:guid}/accept", async (Guid caseId, ClaimsPrincipal user, CaseStore store, ICaseNotifier notifier, CaseMetrics metrics, CancellationToken ct) =>
            await Notify(await store.AcceptAsync(caseId, user.OfficerId(), ct), notifier, metrics, queueChanged: true));
        officers.MapPost("/cases/{caseId:guid}/vehicles-moved", async (Guid caseId, ClaimsPrincipal user, CaseStore store, ICaseNotifier notifier, CaseMetrics metrics, CancellationToken ct) =>
            await Notify(await store.RecordVehiclesMovedAsync(caseId, user.OfficerId(), user.IsInRole(Roles.Supervisor), ct), notifier, metrics));
        officers.MapPut("/cases/{caseId:guid}/liability", RecordLiability);
        officers.MapGet("/liability/scenarios", () => TypedResults.Ok(LiabilityRules.Scenarios));
        officers.MapGet("/cases/{caseId:guid}/fraud-signals", async (Guid caseId, CaseStore store, TimeProvider clock, CancellationToken ct) =>
            await store.FraudSignalsAsync(caseId, clock.GetUtcNow(), ct) is { } signals
                ? Results.Ok(signals)
                : Results.Problem(statusCode: 404, title: "No such case."));
        officers.MapPost("/cases/{caseId:guid}/escalate", async (Guid caseId, ReasonRequest request, ClaimsPrincipal user, CaseStore store, ICaseNotifier notifier, CaseMetrics metrics, CancellationToken ct) =>
            Escalation.OfficerReasons.Contains(request.Reason ?? "")
                ? await Notify(await store.EscalateAsync(caseId, user.OfficerId(), user.IsInRole(Roles.Supervisor), request.Reason!, Trim(request.Note), ct), notifier, metrics, queueChanged: true)
                : Reasons("reason", Escalation.OfficerReasons));
        officers.MapPost("/cases/{caseId:guid}/abandon", async (Guid caseId, ReasonRequest request, ClaimsPrincipal user, CaseStore store, ICaseNotifier notifier, CaseMetrics metrics, CancellationToken ct) =>
            AbandonReasons.Contains(request.Reason ?? "")
                ? await Notify(await store.AbandonAsync(caseId, user.OfficerId(), user.IsInRole(Roles.Supervisor), request.Reason!, ct), notifier, metrics, queueChanged: true)
                : Reasons("reason", AbandonReasons));
        officers.MapPost("/cases/{caseId:guid}/close", async (Guid caseId, ClaimsPrincipal user, CaseStore store, ICaseNotifier notifier, CaseMetrics metrics, CancellationToken ct) =>
            await Notify(await store.CloseAsync(caseId, user.OfficerId(), user.IsInRole(Roles.Supervisor), ct), notifier, metrics));
        return app;
    }

    private static async Task<Results<Created<ReportResponse>, ValidationProblem>> Report(
        ReportRequest request, CaseStore store, IOptions<InsurerOptions> insurers, TimeProvider clock,
        IStringLocalizer<DriverMessages> text, ICaseNotifier notifier, CaseMetrics metrics, CancellationToken ct)
    {
        var check = new RequestValidation(insurers.Value, clock);
        var vehicle = check.Vehicle(request.Phone, request.Plate, request.VehicleType, request.InsurerCode, request.PolicyNumber);
        var otherPlate = check.OtherPlate(request.OtherPlate, request.Plate);
        var device = check.Device(request.DeviceLatitude, request.DeviceLongitude);
        check.Location(request.Latitude, request.Longitude, request.Address);
        check.AccidentTime(request.AccidentTime);
        check.Parties(request.NumberOfParties);
        check.Triage(request.Triage);
        if (check.HasErrors || vehicle is null)
        {
            return TypedResults.ValidationProblem(check.Errors, title: "The report has errors; correct the fields below and send it again.");
        }

        var triage = request.Triage!;
        var escalation = Escalation.ReasonFor(triage.AnyoneInjured!.Value, triage.VehiclesDrivable!.Value, triage.HazardousGoods ?? false);
        var created = await store.ReportAsync(new CaseStore.NewReport(
            vehicle with { OtherPlate = otherPlate, DeviceLatitude = device.Lat, DeviceLongitude = device.Lng }, request.AccidentTime!.Value, request.Latitude, request.Longitude, request.Address,
            request.NumberOfParties!.Value, triage.AnyoneInjured.Value, triage.VehiclesDrivable.Value, triage.HazardousGoods ?? false, escalation), ct);

        var response = new ReportResponse(
            created.Case.Id, created.Case.CaseNumber, created.Case.Status, created.Party.Id, created.Party.PartyNumber,
            created.PartyToken, created.MatchedExistingCase ? null : created.Case.JoinCode, escalation is not null,
            escalation is not null ? text[Escalation.AdviceKey(escalation)].Value
                : created.MatchedExistingCase ? text["Advice.matched"].Value : null,
            created.MatchedExistingCase);
        metrics.Reported(escalation is not null);
        if (escalation is null)
        {
            await notifier.QueueChangedAsync();
        }

        return TypedResults.Created($"/api/cases/{created.Case.Id}", response);
    }

    private static async Task<Results<Created<JoinResponse>, ValidationProblem, ProblemHttpResult>> Join(
        JoinRequest request, CaseStore store, IOptions<InsurerOptions> insurers, TimeProvider clock, ICaseNotifier notifier, CancellationToken ct)
    {
        var check = new RequestValidation(insurers.Value, clock);
        check.JoinCode(request.JoinCode);
        var vehicle = check.Vehicle(request.Phone, request.Plate, request.VehicleType, request.InsurerCode, request.PolicyNumber);
        var device = check.Device(request.DeviceLatitude, request.DeviceLongitude);
        if (check.HasErrors || vehicle is null)
        {
            return TypedResults.ValidationProblem(check.Errors, title: "The join request has errors; correct the fields below and send it again.");
        }

        var result = await store.JoinAsync(request.JoinCode!.Trim(), vehicle with { DeviceLatitude = device.Lat, DeviceLongitude = device.Lng }, ct);
        if (result is CaseStore.JoinResult.Joined)
        {
            await notifier.QueueChangedAsync();
        }

        return result switch
        {
            CaseStore.JoinResult.Joined j => TypedResults.Created($"/api/cases/{j.Case.Id}",
                new JoinResponse(j.Case.Id, j.Case.CaseNumber, j.Case.Status, j.Party.Id, j.Party.PartyNumber, j.PartyToken)),
            CaseStore.JoinResult.Full f => TypedResults.Problem(statusCode: 409, title: "Everyone has already joined this case.",
                detail: $"The case was reported with {f.ExpectedParties} vehicles and all of them have joined. If yours is another vehicle, report the accident yourself."),
            CaseStore.JoinResult.AlreadyJoined => TypedResults.Problem(statusCode: 409, title: "This vehicle has already joined the case.",
                detail: "A party with the same plate is already in this case. Use the phone that joined, or check the plate."),
            _ => TypedResults.Problem(statusCode: 404, title: "No open case has this join code.",
                detail: "Check the 6 digits on the other driver's phone. A code stops working once the case is closed or everyone has joined."),
        };
    }

    private static async Task<Results<Ok<CaseView>, ProblemHttpResult>> Get(Guid caseId, ClaimsPrincipal user, CaseStore store, PolicyIndex policies, CancellationToken ct)
    {
        if (user.IsParty() && user.PartyCaseId() != caseId)
        {
            return NotFound(caseId);
        }

        var details = await store.GetAsync(caseId, ct);
        if (details is null)
        {
            return NotFound(caseId);
        }

        // Officers see whether each vehicle's compulsory insurance (交强险) is in force.
        var compulsory = user.IsStaff() ? await policies.CompulsoryStatusAsync(details.Parties.Select(p => p.Plate), ct) : null;
        return TypedResults.Ok(ToView(details, user, compulsory));
    }

    private static async Task<IResult> Rate(Guid caseId, SatisfactionRequest request, ClaimsPrincipal user, CaseStore store, CancellationToken ct)
    {
        if (user.PartyCaseId() != caseId)
        {
            return NotFound(caseId);
        }

        var errors = new Dictionary<string, string[]>();
        if (request.Rating is null or < 1 or > 5)
        {
            errors["rating"] = ["Give a rating from 1 (very unhappy) to 5 (very happy)."];
        }

        if (request.Comment is { Length: > 500 })
        {
            errors["comment"] = ["The comment may have at most 500 characters."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The rating has errors.");
        }

        return await store.RateAsync(caseId, user.PartyId()!.Value, request.Rating!.Value, request.Comment?.Trim(), ct) switch
        {
            CaseChange.Done => TypedResults.NoContent(),
            CaseChange.WrongState s => CaseEndpoints.StateConflict(s.Status, s.Reason),
            _ => NotFound(caseId),
        };
    }

    public static readonly IReadOnlyList<string> AbandonReasons = ["driver_left", "no_answer"];

    private static string? Trim2000(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static string? Trim(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim()[..Math.Min(s.Trim().Length, 500)];

    private static ValidationProblem Reasons(string field, IReadOnlyList<string> allowed) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [$"{field} must be one of: {string.Join(", ", allowed)}."] });

    private static async Task<IResult> RecordLiability(
        Guid caseId, LiabilityRequest request, ClaimsPrincipal user, CaseStore store, ICaseNotifier notifier, CaseMetrics metrics, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Scenario is null || LiabilityRules.Scenarios.All(x => x.Code != request.Scenario))
        {
            errors["scenario"] = [$"Choose the scenario, one of: {string.Join(", ", LiabilityRules.Scenarios.Select(x => x.Code))} (GET /api/liability/scenarios)."];
        }

        var shares = new List<(Guid PartyId, string Liability)>();
        if (request.Parties is { Count: > 0 })
        {
            for (var i = 0; i < request.Parties.Count; i++)
            {
                var p = request.Parties[i];
                if (p.PartyId is null)
                {
                    errors[$"parties[{i}].partyId"] = ["The party id is required (from GET /api/cases/{id})."];
                }

                if (p.Liability is null || !Liability.Values.Contains(p.Liability))
                {
                    errors[$"parties[{i}].liability"] = [$"Liability must be one of: {string.Join(", ", Liability.Values)}."];
                }
                else if (p.PartyId is { } id)
                {
                    shares.Add((id, p.Liability));
                }
            }
        }
        else if (request.AtFaultPartyId is null)
        {
            errors["parties"] = ["Send each party's share in parties, or atFaultPartyId to take the scenario's suggested split."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The liability decision has errors.");
        }

        if (shares.Count == 0)
        {
            var details = await store.GetAsync(caseId, ct);
            var suggested = details is null ? null : LiabilityRules.Suggest(request.Scenario!, request.AtFaultPartyId!.Value, details.Parties.Select(p => p.Id));
            if (suggested is null || details!.Parties.All(p => p.Id != request.AtFaultPartyId))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["parties"] = ["This scenario suggests no split, or atFaultPartyId is not a party of the case: send each party's share in parties."],
                }, title: "The liability decision has errors.");
            }

            shares = suggested.ToList();
        }

        var decision = new LiabilityDecision(request.Scenario!, Trim2000(request.Facts), shares);
        return await Notify(await store.RecordLiabilityAsync(caseId, user.OfficerId(), user.IsInRole(Roles.Supervisor), decision, ct), notifier, metrics);
    }

    /// <summary>After a change committed, tells the case's parties and officer (and the queue's watchers).</summary>
    private static async Task<IResult> Notify(CaseChange change, ICaseNotifier notifier, CaseMetrics metrics, bool queueChanged = false)
    {
        if (change is CaseChange.Done done)
        {
            metrics.StateReached(done.Case.Case);
            await notifier.CaseChangedAsync(done.Case.Case.Id, done.Case.Case.Status);
            if (queueChanged)
            {
                await notifier.QueueChangedAsync();
            }
        }

        return ToResult(change);
    }

    private static IResult ToResult(CaseChange change) => change switch
    {
        CaseChange.Done done => TypedResults.Ok(ToView(done.Case, null)),
        CaseChange.NotFound => TypedResults.Problem(statusCode: 404, title: "No such case.", detail: "Check the case id; the queue lists waiting cases at GET /api/queue."),
        CaseChange.WrongState s => CaseEndpoints.StateConflict(s.Status, s.Reason),
        CaseChange.NotYours n => TypedResults.Problem(statusCode: 403, title: "Another officer handles this case.",
            detail: n.OfficerId is null ? "Accept the case first." : $"Officer {n.OfficerId} accepted it; only they or a supervisor can change it."),
        CaseChange.Invalid i => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [i.Field] = [i.Reason] }),
        _ => throw new InvalidOperationException("Unknown case change result."),
    };

    /// <summary>The 409 for a request that does not fit the case's state: the state in the title and in <c>caseStatus</c>.</summary>
    public static ProblemHttpResult StateConflict(string status, string detail) =>
        TypedResults.Problem(statusCode: 409, title: $"The case is {status}.", detail: detail,
            extensions: new Dictionary<string, object?> { ["caseStatus"] = status });

    private static ProblemHttpResult NotFound(Guid caseId) =>
        TypedResults.Problem(statusCode: 404, title: "No such case.", detail: $"There is no case {caseId} that you can see.");

    internal static CaseView ToView(CaseDetails d, ClaimsPrincipal? user, IReadOnlyDictionary<string, string>? compulsory = null)
    {
        var c = d.Case;
        var viewer = user?.IsParty() == true ? user.PartyId() : null;
        var isParty = user?.IsParty() == true;
        return new CaseView(
            c.Id, c.CaseNumber, c.Status, c.JoinCode, c.ExpectedParties, c.AccidentTime,
            new LocationView(c.Latitude, c.Longitude, c.Address),
            new TriageView(c.AnyoneInjured != 0, c.VehiclesDrivable != 0, c.HazardousGoods != 0),
            c.EscalationReason, c.OfficerId, c.LiabilityScenario, c.Facts,
            new CaseTimes(c.ReportedAt, c.AnsweredAt, c.VehiclesMovedAt, c.ClosedAt, c.EscalatedAt),
            d.Parties.Select(p => new PartyView(
                p.Id, p.PartyNumber, p.Plate, p.VehicleType, p.InsurerCode, p.PolicyNumber,
                isParty && p.Id != viewer ? CaseRules.MaskPhone(p.Phone) : p.Phone,
                p.Liability, p.JoinedAt, p.Name,
                p.IdNumber is null ? null : isParty && p.Id != viewer ? CaseRules.MaskIdNumber(p.IdNumber) : p.IdNumber,
                compulsory?.GetValueOrDefault(p.Plate))).ToList(),
            c.AbandonReason);
    }
}

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
