using System.Collections.Concurrent;
using System.Diagnostics;
using AccidentRemote.Server.Claims;
using AccidentRemote.Server.Data;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Telemetry;

/// <summary>One trace from the close request through the claims outbox to MassTransit's publish, on both production and embedded shapes.</summary>
public sealed class ClaimTraceTests
{
    [Theory, BothDatabases]
    public async Task The_publish_of_each_claim_continues_the_trace_of_the_request_that_closed_the_case(DatabaseProvider provider)
    {
        // Only the spans of this test's close request: the listener is process-wide and other tests run alongside.
        var traceId = ActivityTraceId.CreateRandom();
        var reportTrace = ActivityTraceId.CreateRandom();
        var requestParent = ActivitySpanId.CreateRandom();
        var spans = new ConcurrentQueue<Activity>();
        var published = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "AccidentRemote" or "MassTransit" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.TraceId == traceId)
                {
                    spans.Enqueue(a);
                }

                if (a.OperationName == "claim publish")
                {
                    published.Enqueue(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await using var database = provider == DatabaseProvider.Postgres ? await PostgresDatabase.CreateAsync() : null;
        await using var vhost = provider == DatabaseProvider.Postgres ? await RabbitVhost.CreateAsync() : null;
        using var app = database is null
            ? TestApp.Embedded()
            : TestApp.Production(database.ConnectionString, vhost!.Name, extra: new() { ["Claims:PollInterval"] = "00:00:00.200" });
        var officer = await app.OfficerClientAsync();
        if (database is not null)
        {
            await app.Services.GetRequiredService<BrokerTopology>().Declared.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }

        // The report request comes in with a trace of its own; the close's span links to it.
        var (caseId, _) = await Api.CaseReadyToCloseAsync(app.CreateDefaultClient(new TraceReports(reportTrace)), officer);
        using var close = new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{caseId}/close");
        close.Headers.Add("traceparent", $"00-{traceId}-{requestParent}-01");
        Assert.True((await officer.SendAsync(close)).IsSuccessStatusCode);

        var claims = (await app.Services.GetRequiredService<ClaimLedger>().ForCaseAsync(Guid.Parse(caseId), CancellationToken.None))
            .Select(c => c.Id.ToString()).ToList();
        Assert.Equal(2, claims.Count);
        // Each claim's publish span (ours) and MassTransit's send span under it, once the broker confirmed.
        await Eventually.Until(() => Task.FromResult(published.ToList()),
            l => claims.All(id => l.Any(a => Equals(a.GetTagItem("accidentremote.claim.id"), id) && Equals(a.GetTagItem("accidentremote.claim.outcome"), "confirmed"))),
            "a confirmed publish span for each claim");

        var ours = published.Where(a => claims.Contains(a.GetTagItem("accidentremote.claim.id") as string ?? "")).ToList();
        Assert.All(ours, a => Assert.Equal(traceId, a.TraceId));
        var all = spans.ToList();
        var request = Assert.Single(all, a => a.Source.Name == "Microsoft.AspNetCore");
        Assert.Equal(requestParent, request.ParentSpanId);
        var caseClose = Assert.Single(all, a => a.OperationName == "case close");
        Assert.Equal(request.SpanId, caseClose.ParentSpanId);
        Assert.Contains(caseClose.Links, l => l.Context.TraceId == reportTrace);
        var enqueue = Assert.Single(all, a => a.OperationName == "claims enqueue");
        Assert.Equal(caseClose.SpanId, enqueue.ParentSpanId);
        Assert.All(ours, a => Assert.Equal(enqueue.SpanId, a.ParentSpanId));
        foreach (var publish in ours)
        {
            // MassTransit's own send span for the claim, a child of the publish span, in the same trace.
            Assert.Contains(all, a => a.Source.Name == "MassTransit" && a.ParentSpanId == publish.SpanId);
        }

        // No personal data on any span of the trace: the parties' names, ID numbers and plates are nowhere.
        var text = string.Join("\n", all.Select(a => a.DisplayName + " " + string.Join(" ", a.TagObjects.Select(t => $"{t.Key}={t.Value}"))));
        foreach (var personal in Api.IdNumbers.Concat(["张伟", "李娜", "京A12345", "沪AD12345"]))
        {
            Assert.DoesNotContain(personal, text, StringComparison.Ordinal);
        }
    }

    /// <summary>Gives the report request (POST /api/cases) the trace <c>reportTrace</c>, as a browser's or proxy's tracing would.</summary>
    private sealed class TraceReports(ActivityTraceId reportTrace) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath == "/api/cases")
            {
                request.Headers.Add("traceparent", $"00-{reportTrace}-{ActivitySpanId.CreateRandom()}-01");
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
