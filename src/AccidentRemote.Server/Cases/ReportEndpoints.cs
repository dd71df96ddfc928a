using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Insurers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Cases;

/// <summary>
/// How a case starts: a driver reports (with consent, field rules and triage), the other driver joins
/// with the join code. Both anonymous, rate-limited per client and refused to a blocked client.
/// </summary>
public static class ReportEndpoints
{
    public const string ReportRateLimit = "reports";

    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        var drivers = app.MapGroup("/api/cases").WithTags("Cases");
        drivers.MapPost("/", Report).AllowAnonymous().RequireRateLimiting(ReportRateLimit).AddEndpointFilter<AbuseBlockFilter>();
        drivers.MapPost("/join", Join).AllowAnonymous().RequireRateLimiting(ReportRateLimit).AddEndpointFilter<AbuseBlockFilter>();
        return app;
    }

    private static async Task<Results<Created<ReportResponse>, ValidationProblem>> Report(
        ReportRequest request, IConsentCheck consentCheck, CaseIntake intake, IOptions<InsurerOptions> insurers, TimeProvider clock,
        IStringLocalizer<DriverMessages> text, CaseMetrics metrics, CancellationToken ct)
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
            return Problems.Invalid("Report.Invalid", check.Errors);
        }

        vehicle = vehicle with { Consent = consent };

        var triage = request.Triage!;
        var escalation = Escalation.ReasonFor(triage.AnyoneInjured!.Value, triage.VehiclesDrivable!.Value, triage.HazardousGoods ?? false);
        var created = await intake.ReportAsync(new CaseStore.NewReport(
            vehicle with { OtherPlate = otherPlate, DeviceLatitude = device.Lat, DeviceLongitude = device.Lng }, request.AccidentTime!.Value, request.Latitude, request.Longitude, request.Address,
            request.NumberOfParties!.Value, triage.AnyoneInjured.Value, triage.VehiclesDrivable.Value, triage.HazardousGoods ?? false, escalation), ct);

        var duplicate = created.Duplicate;
        var response = new ReportResponse(
            created.Case.Id, created.Case.CaseNumber, created.Case.Status, created.Party.Id, created.Party.PartyNumber,
            created.PartyToken, created.Case.JoinCode, escalation is not null,
            escalation is not null ? text[Escalation.AdviceKey(escalation)].Value
                : duplicate is not null ? text["Advice.possibleDuplicate"].Value : null,
            MatchedExistingCase: false, JoinSecret: created.Case.JoinSecret, PossibleDuplicate: duplicate is not null);
        // The queue and a possible duplicate's question are told by the case transaction's observer.
        metrics.Reported(escalation is not null);
        return TypedResults.Created($"/api/cases/{created.Case.Id}", response);
    }

    private static async Task<Results<Created<JoinResponse>, ValidationProblem, ProblemHttpResult>> Join(
        JoinRequest request, IConsentCheck consentCheck, CaseJoining joining, IOptions<InsurerOptions> insurers, IOptions<CasesOptions> options, JoinGuard guard, HttpContext http,
        TimeProvider clock, CancellationToken ct)
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
            return Problems.Invalid("Join.Invalid", check.Errors);
        }

        vehicle = vehicle with { Consent = consent };

        // A budget of failures per client and, for typed codes, for everyone: nobody sweeps the code space.
        var client = AuthExtensions.ClientKey(http);
        var typed = secret is null;
        if (guard.Blocked(client, typed) is { } wait)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problems.Of(429, "Join.TooMany", Math.Ceiling(wait.TotalMinutes));
        }

        var result = await joining.JoinAsync(code, secret, vehicle with { DeviceLatitude = device.Lat, DeviceLongitude = device.Lng }, options.Value.JoinFailuresBeforeLock, ct);
        if (result is JoinResult.UnknownCode or JoinResult.Locked)
        {
            guard.Failed(client, typed);
        }

        return result switch
        {
            JoinResult.Joined j => TypedResults.Created($"/api/cases/{j.Case.Id}",
                new JoinResponse(j.Case.Id, j.Case.CaseNumber, j.Case.Status, j.Party.Id, j.Party.PartyNumber, j.PartyToken)),
            JoinResult.Full f => Problems.Of(409, "Join.Full", f.ExpectedParties),
            JoinResult.Locked => Problems.Of(423, "Join.Locked"),
            JoinResult.AlreadyJoined => Problems.Of(409, "Join.Already"),
            _ => Problems.Of(404, "Join.Unknown"),
        };
    }
}
