using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AccidentRemote.Tests.InsurerAdapter;

/// <summary>
/// A stand-in for an insurer's claims system: a real Kestrel on a loopback port taking
/// <c>POST /claims</c>. Every accepted POST is one claim "in the insurer's system", so a second
/// hand-over of the same claim shows up as a duplicate. Can fail the first N requests.
/// </summary>
internal sealed class InsurerHttpSink : IAsyncDisposable
{
    private readonly WebApplication app;
    private int attempts;

    private InsurerHttpSink(WebApplication app) => this.app = app;

    public sealed record Received(Guid ClaimId, string Body, string? IdempotencyKey, string ClaimReportNumber);

    public ConcurrentQueue<Received> Claims { get; } = new();

    /// <summary>Every POST, failed or not.</summary>
    public int Attempts => Volatile.Read(ref attempts);

    /// <summary>How many of the first requests answer 503.</summary>
    public int FailFirst { get; set; }

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<InsurerHttpSink> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var sink = new InsurerHttpSink(builder.Build());
        sink.app.MapPost("/claims", sink.TakeAsync);
        await sink.app.StartAsync();
        sink.Endpoint = new Uri(sink.app.Urls.Single().TrimEnd('/') + "/claims");
        return sink;
    }

    private async Task<IResult> TakeAsync(HttpRequest request)
    {
        if (Interlocked.Increment(ref attempts) <= FailFirst)
        {
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        var claimId = JsonDocument.Parse(body).RootElement.GetProperty("claimId").GetGuid();
        var number = $"RPT-{Guid.NewGuid():N}"[..20];
        Claims.Enqueue(new Received(claimId, body, request.Headers["Idempotency-Key"].SingleOrDefault(), number));
        return Results.Json(new { claimReportNumber = number });
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
