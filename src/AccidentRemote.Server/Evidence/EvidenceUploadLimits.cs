using System.Globalization;
using System.Threading.RateLimiting;
using AccidentRemote.Server.Auth;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Evidence;

/// <summary>
/// How fast evidence may arrive: per client address (an ASP.NET Core rate limiter policy on the upload
/// endpoint, keyed by <see cref="AuthExtensions.ClientKey"/>) and per uploader (a party's token or an
/// officer), checked in the handler once the caller is known. Both are per node: with N nodes a client
/// gets at most N times the budget, which the per-case budgets (in the database, shared) still bound.
/// </summary>
public sealed class EvidenceUploadLimits(IOptions<EvidenceOptions> options) : IDisposable
{
    public const string PerClientPolicy = "evidence-upload";

    private readonly PartitionedRateLimiter<string> perUploader = PartitionedRateLimiter.Create<string, string>(uploader =>
        RateLimitPartition.GetFixedWindowLimiter(uploader, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.UploadsPerMinutePerParty,
            Window = TimeSpan.FromMinutes(1),
        }));

    /// <summary>Takes one upload from the uploader's budget; false when it is used up for this minute.</summary>
    public bool TryTake(string uploader)
    {
        using var lease = perUploader.AttemptAcquire(uploader);
        return lease.IsAcquired;
    }

    public void Dispose() => perUploader.Dispose();

    /// <summary>429 for a driver: what happened and when to try again, in the page's language.</summary>
    public static ProblemDetailsLike TooMany(IStringLocalizer<DriverMessages> text, int perMinute) =>
        new(text["Evidence.TooFast.Title"], string.Format(CultureInfo.CurrentCulture, text["Evidence.TooFast.Detail"], perMinute));

    public sealed record ProblemDetailsLike(string Title, string Detail);

    /// <summary>The per-address policy, with its own localised refusal.</summary>
    internal sealed class PerClient : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = async (context, ct) =>
        {
            var http = context.HttpContext;
            var text = http.RequestServices.GetRequiredService<IStringLocalizer<DriverMessages>>();
            var limit = http.RequestServices.GetRequiredService<IOptions<EvidenceOptions>>().Value.UploadsPerMinutePerClient;
            var (title, detail) = TooMany(text, limit);
            http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            http.Response.Headers.RetryAfter = "60";
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = title, Detail = detail, Extensions = { [Problems.CodeExtension] = "Evidence.TooFast" } },
            });
        };

        public RateLimitPartition<string> GetPartition(HttpContext httpContext)
        {
            var limit = httpContext.RequestServices.GetRequiredService<IOptions<EvidenceOptions>>().Value.UploadsPerMinutePerClient;
            return RateLimitPartition.GetFixedWindowLimiter(AuthExtensions.ClientKey(httpContext), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit,
                Window = TimeSpan.FromMinutes(1),
            });
        }
    }
}
