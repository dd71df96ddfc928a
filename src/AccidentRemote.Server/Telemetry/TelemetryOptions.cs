namespace AccidentRemote.Server.Telemetry;

/// <summary>
/// OpenTelemetry settings. Section <c>Telemetry</c>. Nothing is exported until
/// <see cref="OtlpOptions.Endpoint"/> is set; <c>/metrics</c> (Prometheus) is there either way (<c>Kpis</c>).
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>The node's <c>service.instance.id</c>; empty means the host name. Set it per node when several run on one host (e.g. <c>%H-%i</c> in a systemd template unit).</summary>
    public string? InstanceId { get; set; }

    /// <summary>Where and how traces and metrics go over OTLP.</summary>
    public OtlpOptions Otlp { get; set; } = new();
}

/// <summary>OTLP export: the collector's address, protocol and headers. Section <c>Telemetry:Otlp</c>.</summary>
public sealed class OtlpOptions
{
    /// <summary>
    /// The collector's base address, e.g. <c>http://127.0.0.1:4317</c> (gRPC) or <c>http://127.0.0.1:4318</c>
    /// (HTTP; <c>/v1/traces</c> and <c>/v1/metrics</c> are added). Empty: no export (the default).
    /// Text, not a <see cref="Uri"/>, so that a wrong value is reported by the validator with its setting's name.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary><c>Grpc</c> (the default, port 4317) or <c>HttpProtobuf</c> (port 4318).</summary>
    public OtlpProtocol Protocol { get; set; } = OtlpProtocol.Grpc;

    /// <summary>
    /// Headers sent with every export, as OTEL_EXPORTER_OTLP_HEADERS writes them: <c>name=value,name2=value2</c>
    /// (e.g. a collector's API key). A secret: set it in the environment (<c>Telemetry__Otlp__Headers</c>), never in a file under version control.
    /// </summary>
    public string? Headers { get; set; }

    /// <summary>How often metrics are pushed to the collector.</summary>
    public TimeSpan MetricsInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one export may take before it is given up (the data of that export is dropped).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint);
}

public enum OtlpProtocol
{
    Grpc,
    HttpProtobuf,
}
