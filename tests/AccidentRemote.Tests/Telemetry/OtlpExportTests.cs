using System.Collections.Concurrent;
using System.Net;
using System.Text;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Telemetry;

/// <summary>With an OTLP endpoint set, the server pushes its spans and metrics there, named accidentremote, with the configured headers.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task With_an_otlp_endpoint_the_server_sends_spans_and_metrics_as_accidentremote_with_the_configured_header()
    {
        using var collector = new LoopbackCollector();
        using var app = TestApp.Embedded(extra: new()
        {
            ["Telemetry:Otlp:Endpoint"] = collector.Address.ToString(),
            ["Telemetry:Otlp:Protocol"] = "HttpProtobuf",
            ["Telemetry:Otlp:Headers"] = "x-collector-key=centre-test-key",
            ["Telemetry:Otlp:MetricsInterval"] = "00:00:01",
            ["Telemetry:InstanceId"] = "node-under-test",
        });
        await app.CreateClient().PostJsonAsync("/api/cases", Api.Report(parties: 1), 201);

        // OTLP over HTTP carries protobuf; its strings (service.name, the instance, span names) are plain UTF-8 bytes.
        var traces = await Eventually.Until(() => Task.FromResult(collector.Received("/v1/traces")),
            l => l.Any(r => r.Body.Contains("accidentremote", StringComparison.Ordinal) && r.Body.Contains("POST /api/cases", StringComparison.Ordinal)),
            "a trace export with the report request's span", TimeSpan.FromSeconds(60));
        var metrics = await Eventually.Until(() => Task.FromResult(collector.Received("/v1/metrics")),
            l => l.Any(r => r.Body.Contains("accidentremote.cases.reported", StringComparison.Ordinal)),
            "a metrics export with the reported-cases counter", TimeSpan.FromSeconds(60));

        foreach (var export in traces.Concat(metrics))
        {
            Assert.Equal("centre-test-key", export.Header);
            Assert.Equal("application/x-protobuf", export.ContentType);
            Assert.Contains("service.name", export.Body, StringComparison.Ordinal);
            Assert.Contains("accidentremote", export.Body, StringComparison.Ordinal);
            Assert.Contains("node-under-test", export.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("unknown_service", export.Body, StringComparison.Ordinal);
        }
    }

    /// <summary>An OTLP/HTTP collector on a loopback port: records each export and answers 200 with an empty (valid) protobuf response.</summary>
    private sealed class LoopbackCollector : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly ConcurrentQueue<Export> exports = new();
        private readonly Task loop;

        public LoopbackCollector()
        {
            Address = new Uri($"http://127.0.0.1:{NodeProcess.FreePort()}/");
            listener.Prefixes.Add(Address.ToString());
            listener.Start();
            loop = Task.Run(ServeAsync);
        }

        public Uri Address { get; }

        public List<Export> Received(string path) => exports.Where(e => e.Path == path).ToList();

        private async Task ServeAsync()
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception) when (!listener.IsListening)
                {
                    return;
                }
                catch (HttpListenerException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                exports.Enqueue(new Export(context.Request.Url!.AbsolutePath, context.Request.Headers["x-collector-key"], context.Request.ContentType,
                    Encoding.UTF8.GetString(body.ToArray())));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            listener.Stop();
            listener.Close();
            loop.Wait(TimeSpan.FromSeconds(5));
        }
    }

    private sealed record Export(string Path, string? Header, string? ContentType, string Body);
}
