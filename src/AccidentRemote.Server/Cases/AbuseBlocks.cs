using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using AccidentRemote.Server.Audit;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Data;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Cases;

/// <summary>
/// Reports an officer marked as abuse block their client from reporting and joining for
/// <c>Cases:AbuseBlockDuration</c>. The client is its rate-limit key
/// (<see cref="AuthExtensions.ClientKey"/>), kept only as an HMAC with a server key, so the table
/// holds no address and cannot be turned back into one.
/// </summary>
public sealed class AbuseBlocks(Db db, ServerSecrets secrets, TimeProvider clock, IOptions<CasesOptions> options)
{
    public const string Reason = "abuse";

    private const string SecretName = "abuse-client-hmac";

    public async Task<string> HashAsync(string clientKey, CancellationToken ct) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(await secrets.GetAsync(SecretName, ct), Encoding.UTF8.GetBytes(clientKey)));

    /// <summary>Remembers which client reported the case.</summary>
    public async Task RecordReporterAsync(Guid caseId, string clientKey, CancellationToken ct)
    {
        var hash = await HashAsync(clientKey, ct);
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync("""
            INSERT INTO case_reporters (case_id, client_hash, reported_at) VALUES (@caseId, @hash, @now)
            ON CONFLICT (case_id, client_hash) DO NOTHING
            """, new { caseId, hash, now = clock.GetUtcNow() });
    }

    /// <summary>Until when the client may not report or join, or null when it may.</summary>
    public async Task<DateTimeOffset?> BlockedUntilAsync(string clientKey, CancellationToken ct)
    {
        var hash = await HashAsync(clientKey, ct);
        await using var c = await db.OpenAsync(ct);
        var until = await c.QueryFirstOrDefaultAsync<DateTimeOffset?>(
            "SELECT blocked_until FROM abuse_blocks WHERE client_hash = @hash", new { hash });
        return until > clock.GetUtcNow() ? until : null;
    }

    /// <summary>Blocks every client that reported the case, from now for the configured duration; returns how many.</summary>
    public async Task<int> BlockReportersAsync(Guid caseId, Guid officerId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var until = now + options.Value.AbuseBlockDuration;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var hashes = (await c.QueryAsync<string>("SELECT client_hash FROM case_reporters WHERE case_id = @caseId", new { caseId }, tx)).ToList();
        foreach (var hash in hashes)
        {
            await c.ExecuteAsync("""
                INSERT INTO abuse_blocks (client_hash, blocked_until, case_id, blocked_by, created_at) VALUES (@hash, @until, @caseId, @by, @now)
                ON CONFLICT (client_hash) DO UPDATE SET blocked_until = excluded.blocked_until, case_id = excluded.case_id,
                    blocked_by = excluded.blocked_by, created_at = excluded.created_at
                """, new { hash, until, caseId, by = $"officer:{officerId}", now }, tx);
        }

        await tx.CommitAsync(ct);
        return hashes.Count;
    }
}

/// <summary>
/// On report and join: a blocked client is refused before anything else happens, with a
/// localised ProblemDetails; a created report's client is remembered for a later abuse mark.
/// Attached where the endpoints are mapped, so the endpoint bodies do not change.
/// </summary>
public sealed class AbuseBlockFilter(AbuseBlocks blocks, IStringLocalizer<DriverMessages> text) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = AuthExtensions.ClientKey(http);
        if (await blocks.BlockedUntilAsync(key, http.RequestAborted) is { } until)
        {
            var beijing = until.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: text["Abuse.blocked.title"].Value,
                detail: text["Abuse.blocked.detail", beijing].Value,
                extensions: new Dictionary<string, object?> { ["code"] = "reporting_blocked", ["blockedUntil"] = until });
        }

        var result = await next(context);
        var value = (result is INestedHttpResult nested ? nested.Result : result as IResult) is IValueHttpResult v ? v.Value : null;
        if (value is ReportResponse report)
        {
            await blocks.RecordReporterAsync(report.CaseId, key, http.RequestAborted);
        }

        return result;
    }
}

public static class AbuseEndpoints
{
    /// <summary><c>POST /api/cases/{id}/abuse</c>: the officer closes a report as abuse (abandoned, reason abuse) and blocks its client.</summary>
    public static IEndpointRouteBuilder MapAbuseReports(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/cases/{caseId:guid}/abuse", MarkAsync).WithTags("Officer handling").RequireAuthorization(AuthExtensions.StaffPolicy);
        return app;
    }

    private static async Task<IResult> MarkAsync(Guid caseId, ClaimsPrincipal user, CaseTransitions store, AbuseBlocks blocks,
        CaseMetrics metrics, ReadAudit audit, CancellationToken ct)
    {
        var officerId = user.OfficerId();
        var change = await store.AbandonAsync(caseId, officerId, user.IsInRole(Roles.Supervisor), AbuseBlocks.Reason, ct);
        switch (change)
        {
            case CaseChange.Done done:
                var blocked = await blocks.BlockReportersAsync(caseId, officerId, CancellationToken.None);
                metrics.StateReached(done.Case.Case);
                return TypedResults.Ok(new AbuseMarked(await CaseViews.ViewAsync(done.Case, CaseAccessRule.Decide(user, done.Case.Case), user, audit, "abuse", CancellationToken.None), blocked));
            case CaseChange.WrongState s:
                return CaseResults.StateConflict(s.Status, s.Reason);
            case CaseChange.NotYours n:
                return CaseResults.NotYours(n.OfficerId);
            default:
                return CaseResults.NoSuchCase(caseId);
        }
    }
}

/// <summary>The closed case, and how many reporting clients are now blocked.</summary>
public sealed record AbuseMarked(CaseView Case, int ClientsBlocked);
