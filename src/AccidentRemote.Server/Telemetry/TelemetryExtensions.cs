using System.Reflection;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AccidentRemote.Server.Telemetry;

/// <summary>
/// Who the server is to OpenTelemetry (<c>service.name</c> <see cref="ServiceName"/>, its version and
/// instance), and, when <c>Telemetry:Otlp:Endpoint</c> is set, traces (the server's spans, MassTransit's,
/// ASP.NET Core's and HttpClient's) and metrics (every meter the features add, <c>Kpis</c>) pushed over OTLP.
/// Off by default: the embedded server exports nothing and needs no collector.
/// </summary>
public static class TelemetryExtensions
{
    public const string ServiceName = "accidentremote";

    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryValidation>();
        builder.Services.AddOptions<TelemetryOptions>()
            .Bind(builder.Configuration.GetSection(TelemetryOptions.Section))
            .ValidateOnStart();

        var settings = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var otel = builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService(
            ServiceName,
            serviceVersion: Version(),
            autoGenerateServiceInstanceId: false,
            serviceInstanceId: string.IsNullOrWhiteSpace(settings.InstanceId) ? Environment.MachineName : settings.InstanceId.Trim()));
        if (!settings.Otlp.Enabled)
        {
            return builder;
        }

        var otlp = settings.Otlp;
        otel.WithTracing(t => t
            .AddSource(Tracing.SourceName, Tracing.MassTransitSourceName)
            .AddAspNetCoreInstrumentation(o =>
            {
                // Scrapes and health probes every few seconds are noise, not traffic.
                o.Filter = http => !http.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal)
                    && !http.Request.Path.StartsWithSegments("/metrics", StringComparison.Ordinal);
                o.EnrichWithHttpResponse = (activity, response) => StripPersonalData(activity, response.HttpContext);
            })
            .AddHttpClientInstrumentation()
            .AddOtlpExporter(o => Configure(o, otlp, "v1/traces")));
        otel.WithMetrics(m => m.AddOtlpExporter((o, reader) =>
        {
            Configure(o, otlp, "v1/metrics");
            reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)otlp.MetricsInterval.TotalMilliseconds;
        }));
        return builder;
    }

    /// <summary>
    /// A request span keeps the route's template, not the path (which carries case, party and claim ids), and
    /// neither the query (tokens on the hub's connect) nor the client's address or browser.
    /// </summary>
    private static void StripPersonalData(System.Diagnostics.Activity activity, HttpContext http)
    {
        activity.SetTag("url.path", (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)");
        activity.SetTag("url.query", null);
        activity.SetTag("client.address", null);
        activity.SetTag("client.port", null);
        activity.SetTag("user_agent.original", null);
    }

    private static void Configure(OtlpExporterOptions o, OtlpOptions settings, string signalPath)
    {
        // An invalid endpoint is reported by TelemetryValidation at start; never fail here with a worse message.
        if (!TelemetryValidation.TryEndpoint(settings.Endpoint, out var endpoint))
        {
            return;
        }

        o.Protocol = settings.Protocol == OtlpProtocol.HttpProtobuf ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        // gRPC takes the base address; over HTTP each signal has its own path, which the exporter does not add
        // to an endpoint set in code.
        o.Endpoint = settings.Protocol == OtlpProtocol.HttpProtobuf
            ? new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath)
            : endpoint;
        o.Headers = settings.Headers;
        o.TimeoutMilliseconds = (int)settings.Timeout.TotalMilliseconds;
    }

    private static string Version()
    {
        var assembly = typeof(TelemetryExtensions).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return informational ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
    }
}
