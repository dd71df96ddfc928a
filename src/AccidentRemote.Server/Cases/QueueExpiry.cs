using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Cases;

/// <summary>
/// Abandons queued cases nobody answered in time (<see cref="QueueExpiryOptions.UnansweredExpiry"/>), as
/// <c>system</c> with reason <c>expired</c> (the case transaction's observer tells the driver's page and the officers' queue). Safe on
/// several nodes: each case moves with a conditional update, so only one node moves it.
/// </summary>
public sealed class QueueExpiry(CaseTransitions store, CaseMetrics metrics, IOptions<QueueExpiryOptions> options, TimeProvider clock,
    ILogger<QueueExpiry> log) : BackgroundService
{
    public const string Reason = "expired";

    /// <summary>One pass: expires what is due and returns how many cases it expired.</summary>
    public async Task<int> ExpireDueAsync(CancellationToken ct)
    {
        var expired = await store.ExpireUnansweredAsync(clock.GetUtcNow() - options.Value.UnansweredExpiry, Reason, 100, ct);
        foreach (var details in expired)
        {
            log.LogInformation("Case {CaseId} abandoned: nobody answered it within {Expiry}", details.Case.Id, options.Value.UnansweredExpiry);
            metrics.StateReached(details.Case);
        }

        return expired.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ExpireDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database may be away for a moment; the next pass tries again.
                log.LogWarning(ex, "Expiring unanswered cases failed; trying again in {Interval}", options.Value.ExpiryCheckInterval);
            }

            try
            {
                await Task.Delay(options.Value.ExpiryCheckInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

public static class QueueExpiryExtensions
{
    public static IHostApplicationBuilder AddQueueExpiry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<QueueExpiryOptions>()
            .Bind(builder.Configuration.GetSection(CasesOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<QueueExpiry>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<QueueExpiry>());
        return builder;
    }
}
