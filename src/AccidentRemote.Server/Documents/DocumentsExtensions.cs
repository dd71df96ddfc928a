using System.Threading.RateLimiting;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Cases;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Documents;

public static class DocumentsExtensions
{
    public const string LookupRateLimit = "verify-lookup";
    public const string UploadRateLimit = "verify-upload";
    public const string ObjectionRateLimit = "objection";

    private const int ObjectionsPerMinute = 5;

    public static IHostApplicationBuilder AddDocuments(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DocumentOptions>()
            .Bind(builder.Configuration.GetSection(DocumentOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DocumentOptions>, DocumentOptionsValidator>();
        builder.Services.AddSingleton<AccidentDocumentRenderer>();
        builder.Services.AddSingleton<DocumentStore>();
        builder.Services.AddSingleton<Cases.ICaseGuard, SignedBeforeClose>();
        builder.Services.AddSingleton<Cases.IPublicAddress, DocumentsPublicAddress>();
        builder.Services.AddSingleton<SignatureStore>();
        builder.Services.AddSingleton<ObjectionStore>();
        builder.Services.AddSingleton<SigningWorkflow>();
        builder.Services.Configure<RateLimiterOptions>(o =>
        {
            o.AddPolicy(LookupRateLimit, http => PerAddress(http, http.RequestServices.GetRequiredService<IOptions<DocumentOptions>>().Value.LookupsPerMinutePerAddress));
            o.AddPolicy(UploadRateLimit, http => PerAddress(http, http.RequestServices.GetRequiredService<IOptions<DocumentOptions>>().Value.UploadsPerMinutePerAddress));
            // An objection is one tap per document version; a few a minute per party token (else per address) is plenty.
            o.AddPolicy(ObjectionRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.User.PartyId() is { } party ? $"party:{party}" : AuthExtensions.ClientKey(http),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = ObjectionsPerMinute, Window = TimeSpan.FromMinutes(1) }));
        });
        return builder;
    }

    private static RateLimitPartition<string> PerAddress(HttpContext http, int limit) =>
        RateLimitPartition.GetFixedWindowLimiter(AuthExtensions.ClientKey(http), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit,
            Window = TimeSpan.FromMinutes(1),
        });
}

/// <summary>Checks the font files and the public URL, with a message that says what to install or set.</summary>
internal sealed class DocumentOptionsValidator : IValidateOptions<DocumentOptions>
{
    public ValidateOptionsResult Validate(string? name, DocumentOptions options) =>
        DocumentOptions.Validate(options) is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
}
