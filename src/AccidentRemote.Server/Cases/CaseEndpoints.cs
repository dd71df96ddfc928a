using System.Security.Claims;
using AccidentRemote.Server.Audit;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Insurers;
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
        drivers.MapPost("/", Report).AllowAnonymous().RequireRateLimiting(ReportRateLimit).AddEndpointFilter<AbuseBlockFilter>();
        drivers.MapPost("/join", Join).AllowAnonymous().RequireRateLimiting(ReportRateLimit).AddEndpointFilter<AbuseBlockFilter>();
        app.MapIntake();
        drivers.MapGet("/{caseId:guid}", Get).RequireAuthorization(AuthExtensions.CasePolicy);
        drivers.MapPost("/{caseId:guid}/satisfaction", Rate).RequireAuthorization(AuthExtensions.PartyPolicy);

        var officers = app.MapGroup("/api").WithTags("Officer handling").RequireAuthorization(AuthExtensions.StaffPolicy);
        officers.MapGet("/queue", async (CaseStore store, CancellationToken ct) => TypedResults.Ok(await store.QueueAsync(ct)));
        officers.MapPost("/cases/{caseId:guid}/accept", async (Guid caseId, ClaimsPrincipal user, CaseTransitions store, ICasePages notifier, CaseMetrics metrics, ReadAudit audit, CancellationToken ct) =>
            await Notify(await store.AcceptAsync(caseId, user.OfficerId(), ct), notifier, metrics, user, audit, ct, queueChanged: true));
        officers.MapPost("/cases/{caseId:guid}/vehicles-moved", async (Guid caseId, ClaimsPrincipal user, CaseTransitions store, ICasePages notifier, CaseMetrics metrics, ReadAudit audit, CancellationToken ct) =>
            await Notify(await store.RecordVehiclesMovedAsync(caseId, user.OfficerId(), user.IsInRole(Roles.Supervisor), ct), notifier, metrics, user, audit, ct));
        officers.MapPut("/cases/{caseId:guid}/liability", RecordLiability);
        officers.MapGet("/liability/scenarios", () => TypedResults.Ok(LiabilityRules.Scenarios));
        officers.MapPost("/cases/{caseId:guid}/escalate", async (Guid caseId, ReasonRequest request, ClaimsPrincipal user, CaseTransitions store, ICasePages notifier, CaseMetrics metrics, ReadAudit audit, CancellationToken ct) =>
            RequestValidation.UnsafeCharacter(request.Note, multiline: true) is not null
                ? UnsafeText("note")
                : Escalation.OfficerReasons.Contains(request.Reason ?? "")
                ? await Notify(await store.EscalateAsync(caseId, user.OfficerId(), user.IsInRole(Roles.Supervisor), request.Reason!, Trim(request.Note), ct), notifier, metrics, user, audit, ct, queueChanged: true)
                : Reasons("reason", Escalation.OfficerReasons));
        officers.MapPost("/cases/{caseId:guid}/abandon", async (Guid caseId, ReasonRequest request, ClaimsPrincipal user, CaseTransitions store, ICasePages notifier, CaseMetrics metrics, ReadAudit audit, CancellationToken ct) =>
            AbandonReasons.Contains(request.Reason ?? "")
                ? await Notify(await store.AbandonAsync(caseId, user.OfficerId(), user.IsInRole(Roles.Supervisor), request.Reason!, ct), notifier, metrics, user, audit, ct, queueChanged: true)
                : Reasons("reason", AbandonReasons));
        officers.MapPost("/cases/{caseId:guid}/close", async (Guid caseId, ClaimsPrincipal user, CaseTransitions store, ICasePages notifier, CaseMetrics metrics, ReadAudit audit, CancellationToken ct) =>
            await Notify(await store.CloseAsync(caseId, user.OfficerId(), user.IsInRole(Roles.Supervisor), ct), notifier, metrics, user, audit, ct));
        app.MapAbuseReports();
        app.MapPartyRequests();
        return app;
    }

    private static async Task<Results<Created<ReportResponse>, ValidationProblem>> Report(
        ReportRequest request, IConsentCheck consentCheck, CaseStore store, IOptions<InsurerOptions> insurers, TimeProvider clock,
        IStringLocalizer<DriverMessages> text, ICasePages notifier, CaseMetrics metrics, CancellationToken ct)
    {
        // PIPL: nothing is taken without the driver's agreement to the current privacy notice.
        if (consentCheck.Check(request.Consent, out var consent) is { } noConsent)
        {
            return noConsent;
        }

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

        vehicle = vehicle with { Consent = consent };

        var triage = request.Triage!;
        var escalation = Escalation.ReasonFor(triage.AnyoneInjured!.Value, triage.VehiclesDrivable!.Value, triage.HazardousGoods ?? false);
        var created = await store.ReportAsync(new CaseStore.NewReport(
            vehicle with { OtherPlate = otherPlate, DeviceLatitude = device.Lat, DeviceLongitude = device.Lng }, request.AccidentTime!.Value, request.Latitude, request.Longitude, request.Address,
            request.NumberOfParties!.Value, triage.AnyoneInjured.Value, triage.VehiclesDrivable.Value, triage.HazardousGoods ?? false, escalation), ct);

        var duplicate = created.Duplicate;
        var response = new ReportResponse(
            created.Case.Id, created.Case.CaseNumber, created.Case.Status, created.Party.Id, created.Party.PartyNumber,
            created.PartyToken, created.Case.JoinCode, escalation is not null,
            escalation is not null ? text[Escalation.AdviceKey(escalation)].Value
                : duplicate is not null ? text["Advice.possibleDuplicate"].Value : null,
            MatchedExistingCase: false, JoinSecret: created.Case.JoinSecret, PossibleDuplicate: duplicate is not null);
        metrics.Reported(escalation is not null);
        if (escalation is null)
        {
            await notifier.QueueChangedAsync();
        }

        if (duplicate is { Mergeable: true })
        {
            // Only the plate goes to the existing case's party; nothing of theirs comes back.
            await notifier.DuplicateQuestionAsync(duplicate.ExistingCaseId, duplicate.AskedPartyId, duplicate.LinkId, duplicate.ReporterPlate);
        }

        return TypedResults.Created($"/api/cases/{created.Case.Id}", response);
    }

    private static async Task<Results<Created<JoinResponse>, ValidationProblem, ProblemHttpResult>> Join(
        JoinRequest request, IConsentCheck consentCheck, CaseStore store, IOptions<InsurerOptions> insurers, IOptions<CasesOptions> options, JoinGuard guard, HttpContext http,
        TimeProvider clock, ICasePages notifier, IStringLocalizer<DriverMessages> text, CancellationToken ct)
    {
        if (consentCheck.Check(request.Consent, out var consent) is { } noConsent)
        {
            return noConsent;
        }

        var check = new RequestValidation(insurers.Value, clock);
        var (code, secret) = check.JoinCode(request.JoinCode, request.JoinSecret);
        var vehicle = check.Vehicle(request.Phone, request.Plate, request.VehicleType, request.InsurerCode, request.PolicyNumber);
        var device = check.Device(request.DeviceLatitude, request.DeviceLongitude);
        if (check.HasErrors || vehicle is null)
        {
            return TypedResults.ValidationProblem(check.Errors, title: "The join request has errors; correct the fields below and send it again.");
        }

        vehicle = vehicle with { Consent = consent };

        // A budget of failures per client and, for typed codes, for everyone: nobody sweeps the code space.
        var client = AuthExtensions.ClientKey(http);
        var typed = secret is null;
        if (guard.Blocked(client, typed) is { } wait)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: 429, title: "Too many wrong join codes.",
                detail: $"Try again in {Math.Ceiling(wait.TotalMinutes)} minutes, or scan the QR code on the other driver's phone.");
        }

        var result = await store.JoinAsync(code, secret, vehicle with { DeviceLatitude = device.Lat, DeviceLongitude = device.Lng }, options.Value.JoinFailuresBeforeLock, ct);
        if (result is JoinResult.UnknownCode or JoinResult.Locked)
        {
            guard.Failed(client, typed);
        }

        if (result is JoinResult.Joined joined)
        {
            await notifier.QueueChangedAsync();
            await notifier.CaseChangedAsync(joined.Case.Id, joined.Case.Status);
        }

        return result switch
        {
            JoinResult.Joined j => TypedResults.Created($"/api/cases/{j.Case.Id}",
                new JoinResponse(j.Case.Id, j.Case.CaseNumber, j.Case.Status, j.Party.Id, j.Party.PartyNumber, j.PartyToken)),
            JoinResult.Full f => TypedResults.Problem(statusCode: 409, title: "Everyone has already joined this case.",
                detail: $"The case was reported with {f.ExpectedParties} vehicles and all of them have joined. If yours is another vehicle, report the accident yourself."),
            JoinResult.Locked => TypedResults.Problem(statusCode: 423, title: "This join code is locked.",
                detail: "Too many wrong codes were tried for this case. Scan the QR code on the other driver's phone, or ask them for the new code they can make on their page."),
            JoinResult.AlreadyJoined => TypedResults.Problem(statusCode: 409, title: "This vehicle has already joined the case.",
                detail: "A party with the same plate is already in this case. Use the phone that joined, or check the plate."),
            _ => TypedResults.Problem(statusCode: 404, title: "No open case has this join code.",
                detail: "Check the 8 digits on the other driver's phone. A code stops working once the case is closed or everyone has joined."),
        };
    }

    private static async Task<Results<Ok<CaseView>, ProblemHttpResult>> Get(Guid caseId, ClaimsPrincipal user, CaseStore store, PolicyIndex policies, ReadAudit audit, CancellationToken ct)
    {
        var details = await store.GetAsync(caseId, ct);
        var access = details is null ? CaseAccessDecision.None : CaseAccessRule.Decide(user, details.Case);
        if (details is null || !access.Sees)
        {
            return NotFound(caseId);
        }

        // The officer handling the case sees whether each vehicle's compulsory insurance (交强险) is in force.
        var compulsory = access.SeesPersonalData ? await policies.CompulsoryAsync(details.Case.AccidentTime, details.Parties.Select(p => (p.Id, p.Plate, p.InsurerCode)), ct) : null;
        return TypedResults.Ok(await ViewAsync(details, access, user, audit, "case", ct, compulsory));
    }

    /// <summary>Kept for the features not yet moved to <see cref="CaseResults.NotHandling"/>.</summary>
    public static ProblemHttpResult NotHandling() => CaseResults.NotHandling();

    private static async Task<IResult> Rate(Guid caseId, SatisfactionRequest request, ClaimsPrincipal user, CaseTransitions store, CancellationToken ct)
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

        if (RequestValidation.UnsafeCharacter(request.Comment, multiline: true) is not null)
        {
            errors["comment"] = [UnsafeTextMessage];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The rating has errors.");
        }

        return await store.RateAsync(caseId, user.PartyId()!.Value, request.Rating!.Value, request.Comment?.Trim(), ct) switch
        {
            CaseChange.Done => TypedResults.NoContent(),
            CaseChange.WrongState s => CaseResults.StateConflict(s.Status, s.Reason),
            _ => NotFound(caseId),
        };
    }

    public static readonly IReadOnlyList<string> AbandonReasons = ["driver_left", "no_answer"];

    /// <summary>Trimmed, or null when blank. Cuts nothing: facts over 2000 characters are refused by <see cref="LiabilityRules"/>.</summary>
    private static string? TrimOrNull(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>Trimmed and cut at 500 characters, or null when blank.</summary>
    private static string? Trim(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim()[..Math.Min(s.Trim().Length, 500)];

    private const string UnsafeTextMessage = "The text contains an invisible or control character (such as a direction override), which is not allowed: type it again without copying from elsewhere.";

    private static ValidationProblem UnsafeText(string field) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [UnsafeTextMessage] }, title: "The request has errors.");

    private static ValidationProblem Reasons(string field, IReadOnlyList<string> allowed) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [$"{field} must be one of: {string.Join(", ", allowed)}."] });

    private static async Task<IResult> RecordLiability(
        Guid caseId, LiabilityRequest request, ClaimsPrincipal user, CaseStore store, CaseTransitions transitions, ICasePages notifier, CaseMetrics metrics, ReadAudit audit, CancellationToken ct)
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

        if (RequestValidation.UnsafeCharacter(request.Facts, multiline: true) is not null)
        {
            errors["facts"] = [UnsafeTextMessage];
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

        var decision = new LiabilityDecision(request.Scenario!, TrimOrNull(request.Facts), shares);
        return await Notify(await transitions.RecordLiabilityAsync(caseId, user.OfficerId(), user.IsInRole(Roles.Supervisor), decision, ct), notifier, metrics, user, audit, ct);
    }

    /// <summary>After a change committed, tells the case's parties and officer (and the queue's watchers).</summary>
    private static async Task<IResult> Notify(CaseChange change, ICasePages notifier, CaseMetrics metrics, ClaimsPrincipal user, ReadAudit audit, CancellationToken ct, bool queueChanged = false)
    {
        if (change is CaseChange.Done done)
        {
            metrics.StateReached(done.Case.Case);
            await notifier.CaseChangedAsync(done.Case.Case.Id, done.Case.Case.Status);
            if (queueChanged)
            {
                await notifier.QueueChangedAsync();
            }

            // The case as the caller may see it now (an officer who escalated a waiting case does not handle it).
            return TypedResults.Ok(await ViewAsync(done.Case, CaseAccessRule.Decide(user, done.Case.Case), user, audit, "change", ct));
        }

        return CaseResults.Refusal(change);
    }

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

    /// <summary>Kept for the features not yet moved to <see cref="CaseResults.StateConflict"/>.</summary>
    public static ProblemHttpResult StateConflict(string status, string detail) => CaseResults.StateConflict(status, detail);

    private static ProblemHttpResult NotFound(Guid caseId) => CaseResults.NoSuchCase(caseId);

    /// <summary>
    /// Full: everything. Queue (other staff): no name, ID number, phone or policy. Party: its own data; the
    /// other parties' phone and ID number masked, and once the case ended, their name and policy left out too.
    /// </summary>
    internal static CaseView ToView(CaseDetails d, CaseAccessDecision access, IReadOnlyDictionary<Guid, CompulsoryCheck>? compulsory = null)
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
