using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Evidence;

public static class EvidenceExtensions
{
    /// <summary>
    /// Evidence settings, store and file folder. New evidence is recorded on the case transaction with its
    /// row; the officer's page is told by Signalling's observer of case transactions.
    /// </summary>
    public static IHostApplicationBuilder AddEvidence(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EvidenceOptions>()
            .Bind(builder.Configuration.GetSection(EvidenceOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EvidenceOptions>, EvidenceOptionsValidator>();
        builder.Services.AddSingleton<EvidenceCopies>();
        builder.Services.AddSingleton<EvidenceUploadLimits>();
        builder.Services.Configure<RateLimiterOptions>(o => o.AddPolicy(EvidenceUploadLimits.PerClientPolicy, new EvidenceUploadLimits.PerClient()));
        builder.Services.AddSingleton<EvidenceStore>();
        builder.Services.AddSingleton<EvidenceBlobs>();
        builder.Services.AddSingleton<EvidenceLinks>();
        builder.Services.AddHostedService<EvidenceStorageStartup>();
        return builder;
    }
}

/// <summary>Creates the evidence folder at start and fails the start, naming the setting, if it cannot be written.</summary>
internal sealed class EvidenceStorageStartup(EvidenceBlobs blobs) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        blobs.EnsureReady();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Checks between the budget settings, with a message naming the setting.</summary>
internal sealed class EvidenceOptionsValidator : IValidateOptions<EvidenceOptions>
{
    public ValidateOptionsResult Validate(string? name, EvidenceOptions options) =>
        EvidenceOptions.Validate(options) is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
}
