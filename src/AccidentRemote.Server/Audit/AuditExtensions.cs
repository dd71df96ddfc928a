using AccidentRemote.Server.Auth;

namespace AccidentRemote.Server.Audit;

public static class AuditExtensions
{
    public static IHostApplicationBuilder AddAudit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AuditLog>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit/verify", async (AuditLog audit, CancellationToken ct) => TypedResults.Ok(await audit.VerifyAsync(ct)))
            .WithTags("Audit")
            .RequireAuthorization(p => p.RequireRole(Roles.Supervisor));
        return app;
    }
}
