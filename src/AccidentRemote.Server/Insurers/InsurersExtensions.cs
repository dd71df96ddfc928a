using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Insurers;

/// <summary>An insurer as the pages show it; <see cref="Hotline"/> is what a driver calls about its claim.</summary>
public sealed record InsurerView(string Code, string NameZh, string NameEn, string? Hotline);

public static class InsurersExtensions
{
    public static IHostApplicationBuilder AddInsurers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<InsurerOptions>()
            .Bind(builder.Configuration.GetSection(InsurerOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<InsurerOptions>, InsurerOptionsValidator>();
        builder.Services.AddSingleton<PolicyIndex>();
        return builder;
    }

    public static IEndpointRouteBuilder MapInsurers(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/insurers", (IOptions<InsurerOptions> options) =>
                TypedResults.Ok(options.Value.Catalogue.Select(e => new InsurerView(e.Code, e.NameZh, e.NameEn, e.Hotline)).ToList()))
            .WithTags("Insurers")
            .AllowAnonymous();
        return app;
    }

    public static bool IsKnown(this InsurerOptions options, string code) => options.Catalogue.Any(e => e.Code == code);
}

/// <summary>Gives the precise reason a catalogue is rejected at start.</summary>
internal sealed class InsurerOptionsValidator : IValidateOptions<InsurerOptions>
{
    public ValidateOptionsResult Validate(string? name, InsurerOptions options) =>
        InsurerCodes.Validate(options) is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
}
