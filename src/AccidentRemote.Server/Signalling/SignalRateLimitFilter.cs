using System.Threading.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Signalling;

/// <summary>
/// A token bucket per connection for hub invocations: a client flooding signals is refused
/// (its invocations fail) without slowing anyone else's call.
/// </summary>
public sealed class SignalRateLimitFilter(IOptions<SignallingOptions> options) : IHubFilter
{
    private const string Key = "rate-limiter";

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var items = invocationContext.Context.Items;
        if (!items.TryGetValue(Key, out var value) || value is not TokenBucketRateLimiter limiter)
        {
            var o = options.Value;
            limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = o.SignalBurst,
                TokensPerPeriod = o.SignalsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
            items[Key] = limiter;
        }

        using var lease = limiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            throw new HubException("Too many signals from this connection; slow down.");
        }

        return await next(invocationContext);
    }

    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        if (context.Context.Items.TryGetValue(Key, out var value) && value is IDisposable d)
        {
            d.Dispose();
        }

        return next(context, exception);
    }
}
