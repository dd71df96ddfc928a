using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Hosting;

/// <summary>The console log as text or, with <c>Logging:Format=json</c>, as JSON lines that carry the trace.</summary>
public static class LogExtensions
{
    public static IHostApplicationBuilder AddLogs(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(LogOptions.Section).Get<LogOptions>() ?? new LogOptions();
        builder.Services.AddOptions<LogOptions>()
            .Bind(builder.Configuration.GetSection(LogOptions.Section))
            .Validate(o => o.IsJson || string.Equals(o.Format, LogOptions.Text, StringComparison.OrdinalIgnoreCase),
                $"Logging:Format '{options.Format}' must be 'text' (the default, for a terminal) or 'json' (one JSON object a line with the trace id, for a log collector).")
            .ValidateOnStart();
        if (options.IsJson)
        {
            // Each entry inside a request carries the request's scope (TraceId, SpanId, ParentId, RequestId,
            // RequestPath): the W3C trace id a caller's traceparent or the tracing exporter also uses.
            builder.Logging.Configure(o => o.ActivityTrackingOptions =
                ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                // Chinese text (messages, insurer names) stays readable; the lines are not embedded in HTML.
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            });
        }

        return builder;
    }

    /// <summary>
    /// The console log is JSON (this setting, or the framework's own <c>Logging:Console:FormatterName=json</c>):
    /// text printed beside it would break the collector's parsing, so the start banner goes through the log instead.
    /// </summary>
    public static bool ConsoleIsJson(IServiceProvider services) =>
        string.Equals(services.GetService<IOptions<ConsoleLoggerOptions>>()?.Value.FormatterName, ConsoleFormatterNames.Json, StringComparison.OrdinalIgnoreCase);
}
