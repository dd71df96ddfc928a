namespace AccidentRemote.Server.Hosting;

/// <summary>How the server writes its log to the console. Key <c>Logging:Format</c> (beside the framework's <c>Logging:LogLevel</c>).</summary>
public sealed class LogOptions
{
    public const string Section = "Logging";

    /// <summary>
    /// <c>text</c> (the default): one readable entry per message, for a person at a terminal.
    /// <c>json</c>: one JSON object per line, with the scopes (the request's <c>TraceId</c> and <c>SpanId</c>,
    /// path and request id), for a log collector (journald, Loki, Elasticsearch). The start banner is then a
    /// log entry too, and the first start does not print the admin password (set it with <c>create-officer</c>).
    /// </summary>
    public string Format { get; set; } = Text;

    public const string Text = "text";
    public const string Json = "json";

    public bool IsJson => string.Equals(Format, Json, StringComparison.OrdinalIgnoreCase);
}
