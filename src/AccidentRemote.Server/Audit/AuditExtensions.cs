using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Data;

namespace AccidentRemote.Server.Audit;

public static class AuditExtensions
{
    public static IHostApplicationBuilder AddAudit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<ReadAudit>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(p => p.RequireRole(Roles.Supervisor));
        group.MapGet("/verify", async (AuditLog audit, CancellationToken ct) => TypedResults.Ok(await audit.VerifyAsync(ct)));
        // Who read which driver's personal data, newest first; one case with ?caseId=.
        group.MapGet("/reads", async (Guid? caseId, int? limit, ReadAudit reads, CancellationToken ct) =>
            TypedResults.Ok(await reads.ListAsync(caseId, Math.Clamp(limit ?? 200, 1, 1000), ct)));
        return app;
    }
}
